#!/usr/bin/env node
// Serves the built console (scripts/server.mjs: Next's handler on node:http) on HOST:PORT (default 127.0.0.1:3000)
// with NEXTAUTH_URL set to match.
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
const server = path.resolve("scripts", "server.mjs");
const child = spawn(process.execPath, [server], {
  stdio: "inherit",
  env: { ...env, HOST: host, PORT: port, NODE_ENV: "production" },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
