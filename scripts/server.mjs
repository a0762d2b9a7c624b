#!/usr/bin/env node
// The console's HTTP server (started by start.mjs): Next's request handler behind a plain node:http server, so
// that the client's address comes from the socket. `next start` would keep a client-sent X-Forwarded-For, which
// would let anyone pick the address that sign-in throttling counts against.
import http from "node:http";
import next from "next";

const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? "3000");
// Reverse proxies in front of the console that append the client to X-Forwarded-For; 0 = clients connect directly.
const proxyHops = Math.max(0, Math.floor(Number(process.env.MARINER_PROXY_HOPS ?? "0")) || 0);

/** The address of whoever opened the connection, or the one `proxyHops` trusted proxies say they served. */
function clientAddress(req) {
  const socketAddress = req.socket.remoteAddress ?? "";
  if (proxyHops === 0) return socketAddress;
  const forwarded = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, socketAddress];
  return chain[Math.max(0, chain.length - 1 - proxyHops)];
}

// lib/auth/client-address.ts trusts the header only when this server put it there.
process.env.MARINER_CLIENT_ADDRESS_STAMPED = "1";
const app = next({ dev: false, hostname: host, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  req.headers["x-mariner-client-address"] = clientAddress(req);
  // Without a trusted proxy a client-sent X-Forwarded-For is a claim, not a fact: Next fills in the socket's.
  if (proxyHops === 0) delete req.headers["x-forwarded-for"];
  handle(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
server.listen(port, host, () => console.log(`Mariner console listening on http://${host}:${port}`));
function shutdown() {
  server.close(() => process.exit(0));
  // Idle keep-alive connections would hold close() open: do not wait for them long.
  setTimeout(() => process.exit(0), 2000).unref();
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, shutdown);
