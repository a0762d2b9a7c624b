#!/usr/bin/env node
// The console's HTTP server (started by start.mjs): Next's request handler behind a plain node:http server, so
// that the client's address comes from the socket. `next start` would keep a client-sent X-Forwarded-For, which
// would let anyone pick the address that sign-in throttling counts against.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import next from "next";

const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? "3000");
// Set by start.mjs when the console serves HTTPS: then PORT only redirects there.
const tls = process.env.MARINER_TLS_CERT
  ? { cert: fs.readFileSync(process.env.MARINER_TLS_CERT), key: fs.readFileSync(process.env.MARINER_TLS_KEY) }
  : null;
const httpsPort = Number(process.env.HTTPS_PORT ?? "3443");
const publicOrigin = new URL(process.env.NEXTAUTH_URL ?? `http://${host}:${port}`).origin;
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
const app = next({ dev: false, hostname: host, port: tls ? httpsPort : port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

function serve(req, res) {
  req.headers["x-mariner-client-address"] = clientAddress(req);
  // Without a trusted proxy a client-sent X-Forwarded-For is a claim, not a fact: Next fills in the socket's.
  if (proxyHops === 0) delete req.headers["x-forwarded-for"];
  // Browsers that once reached the console over HTTPS never fall back to plain HTTP for it (a year).
  if (tls) res.setHeader("strict-transport-security", "max-age=31536000");
  handle(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
}

/**
 * Plain HTTP next to HTTPS serves nothing: a page is redirected to the same path on the public HTTPS origin; any
 * other request is refused rather than redirected, since its password or token has already crossed in clear and
 * a client that follows the redirect would hide that.
 */
function redirect(req, res) {
  if (req.method === "GET" || req.method === "HEAD") {
    res.writeHead(308, { location: publicOrigin + (req.url?.startsWith("/") ? req.url : "/") });
    res.end();
    return;
  }
  res.writeHead(400, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      error: { code: "https_required", message: `This console is served over HTTPS only: use ${publicOrigin}` },
    }),
  );
}

const servers = [];
if (tls) {
  const secure = https.createServer({ ...tls, minVersion: "TLSv1.2" }, serve);
  secure.listen(httpsPort, host, () =>
    console.log(`Mariner console listening on https://${host}:${httpsPort} (${publicOrigin})`),
  );
  servers.push(secure);
}
const plain = http.createServer(tls ? redirect : serve);
plain.listen(port, host, () =>
  console.log(
    tls
      ? `Mariner: http://${host}:${port} redirects to ${publicOrigin}`
      : `Mariner console listening on http://${host}:${port}`,
  ),
);
servers.push(plain);
function shutdown() {
  let open = servers.length;
  for (const server of servers) server.close(() => --open === 0 && process.exit(0));
  // Idle keep-alive connections would hold close() open: do not wait for them long.
  setTimeout(() => process.exit(0), 2000).unref();
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, shutdown);
