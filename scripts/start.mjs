#!/usr/bin/env node
// Serves the built console (scripts/server.mjs: Next's handler on node:http) on HOST:PORT (default 127.0.0.1:3000)
// with NEXTAUTH_URL set to match. With MARINER_TLS_NAMES (a certificate from the console CA for those names) or
// MARINER_TLS_CERT + MARINER_TLS_KEY (the operator's own), it serves HTTPS on HTTPS_PORT and PORT only redirects.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

const host = process.env.HOST ?? "127.0.0.1";
const port = process.env.PORT ?? "3000";
const httpsPort = process.env.HTTPS_PORT ?? "3443";
const dataDir = path.resolve(process.env.MARINER_DATA_DIR ?? ".mariner");

/** The certificate to serve, or null for plain HTTP; exits when one was asked for and cannot be had. */
function tlsFiles() {
  const { MARINER_TLS_CERT: cert, MARINER_TLS_KEY: key, MARINER_TLS_NAMES: names } = process.env;
  if (cert || key) {
    if (!cert || !key) fail("MARINER_TLS_CERT and MARINER_TLS_KEY go together");
    return { cert: path.resolve(cert), key: path.resolve(key) };
  }
  if (!names) return null;
  const issued = spawnSync(process.execPath, ["--import", "tsx", path.resolve("scripts", "console-cert.ts")], {
    env: { ...process.env, MARINER_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (issued.status !== 0) process.exit(1);
  const { certFile, keyFile } = JSON.parse(issued.stdout.trim().split("\n").at(-1));
  return { cert: certFile, key: keyFile };
}

function fail(message) {
  console.error(`Mariner: ${message}`);
  process.exit(1);
}

/** Where browsers reach the console: the first TLS name (or HOST) and the HTTPS port. */
function publicUrl(tls) {
  if (!tls) return `http://${host}:${port}`;
  const name = (process.env.MARINER_TLS_NAMES ?? "").split(",")[0]?.trim() || host;
  const hostPart = name.includes(":") ? `[${name}]` : name;
  return `https://${hostPart}${httpsPort === "443" ? "" : `:${httpsPort}`}`;
}

const tls = tlsFiles();
if (tls && process.env.NEXTAUTH_URL && !process.env.NEXTAUTH_URL.startsWith("https://"))
  fail("NEXTAUTH_URL must be https://… when the console serves HTTPS (or leave it unset to derive it)");
if (tls && !process.env.NEXTAUTH_URL && !process.env.MARINER_TLS_NAMES)
  fail("With MARINER_TLS_CERT, set MARINER_TLS_NAMES (the name your certificate is for) or NEXTAUTH_URL");
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? publicUrl(tls),
  MARINER_DATA_DIR: dataDir,
  ...(tls ? { MARINER_TLS_CERT: tls.cert, MARINER_TLS_KEY: tls.key, HTTPS_PORT: httpsPort } : {}),
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
