#!/usr/bin/env node
// Serves the built console: `next start` on HOST:PORT (default 127.0.0.1:3000) with NEXTAUTH_URL set to match.
import { spawn } from "node:child_process";
import path from "node:path";

const host = process.env.HOST ?? "127.0.0.1";
const port = process.env.PORT ?? "3000";
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://${host}:${port}`,
  MARINER_DATA_DIR: path.resolve(process.env.MARINER_DATA_DIR ?? ".mariner"),
  // A bounded heap: V8 otherwise grows toward a quarter of the machine's memory before collecting.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=${process.env.MARINER_HEAP_MB ?? "384"}`.trim(),
};
const next = path.resolve("node_modules", "next", "dist", "bin", "next");
const child = spawn(process.execPath, [next, "start", "-H", host, "-p", port], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
