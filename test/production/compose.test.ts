import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import mysql from "mysql2/promise";

// The README's production path, as a new user runs it: the console image built here, `docker-compose up -d` with
// Debian's docker-compose (1.29) against a Docker engine, the console reached over HTTPS with its certificate
// verified against the console CA, environments made through the API (one on the engine, one local to the
// console's container), then `docker-compose down -v`.
const run = promisify(execFile);
const socket = /a=unix:\/\/([^,]+)/.exec(process.env.MARINER_TEST_DOCKER_HOSTS ?? "")?.[1];
const HTTP_PORT = 3391;
const HTTPS_PORT = 3392;
const ADMIN = { email: "admin@compose.test", password: "compose-admin-password" };
const env = {
  ...process.env,
  DOCKER_HOST: `unix://${socket}`,
  MARINER_DOCKER_SOCKET: socket ?? "",
  MARINER_HOST: "127.0.0.1",
  MARINER_HTTP_PORT: String(HTTP_PORT),
  MARINER_HTTPS_PORT: String(HTTPS_PORT),
  MARINER_TLS_NAMES: "localhost,127.0.0.1",
  MARINER_ADMIN_EMAIL: ADMIN.email,
  MARINER_ADMIN_PASSWORD: ADMIN.password,
};
const compose = (...args: string[]) =>
  run("docker-compose", ["-p", "marinerprod", ...args], { env, timeout: 180_000, maxBuffer: 16 << 20 });

let ca = "";
let upAt = 0;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith("https:") ? https : http;
    const req = lib.request(url, { method: init.method ?? "GET", headers: init.headers, ca: init.ca }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
const api = (method: string, route: string, token: string, body?: unknown) =>
  request(`https://localhost:${HTTPS_PORT}${route}`, {
    method,
    ca,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

before(async () => {
  assert.ok(socket, "MARINER_TEST_DOCKER_HOSTS must name engine a (npm test starts it)");
  const built = Date.now();
  await run("bash", ["scripts/build-console-image.sh"], { env, timeout: 600_000, maxBuffer: 64 << 20 });
  console.log(`console image built in ${((Date.now() - built) / 1000).toFixed(1)} s`);
  await compose("down", "-v").catch(() => undefined);
  upAt = Date.now();
  await compose("up", "-d");
});

after(async () => {
  const { stdout } = await compose("logs", "--no-color", "--tail", "30").catch(() => ({ stdout: "" }));
  console.log(stdout);
  await compose("down", "-v");
});

test("compose up: the console answers over HTTPS with a certificate from its own CA, and HTTP redirects", async () => {
  for (let i = 0; i < 240 && !ca; i++) {
    ca = await compose("exec", "-T", "mariner", "cat", "/data/console-tls/ca.pem").then(
      (r) => r.stdout,
      () => "",
    );
    if (!ca) await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(ca, /BEGIN CERTIFICATE/);
  let page: Answer | null = null;
  for (let i = 0; i < 240 && !page; i++) {
    page = await request(`https://localhost:${HTTPS_PORT}/signin`, { ca }).catch(() => null);
    if (!page) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(page, "the console never answered over HTTPS");
  assert.equal(page.status, 200);
  assert.equal(page.headers["strict-transport-security"], "max-age=31536000");
  // Not some other certificate: one the console CA did not sign is refused by the same client.
  await assert.rejects(
    request(`https://localhost:${HTTPS_PORT}/signin`, { ca: "" }),
    /self-signed|unable to get local issuer|certificate/,
  );
  const plain = await request(`http://127.0.0.1:${HTTP_PORT}/environments?x=1`);
  assert.equal(plain.status, 308);
  assert.equal(plain.headers.location, `https://localhost:${HTTPS_PORT}/environments?x=1`);
  // A request carrying a secret is refused, not redirected: following it would hide that it crossed in clear.
  const token = await request(`http://127.0.0.1:${HTTP_PORT}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  assert.equal(token.status, 400);
  assert.match(token.body, /https_required/);
});

test("sign in over HTTPS: Secure session cookie, then a signed-in page", async () => {
  const csrf = await request(`https://localhost:${HTTPS_PORT}/api/auth/csrf`, { ca });
  const csrfCookie = (csrf.headers["set-cookie"] ?? []).find((c) => c.startsWith("__Host-next-auth.csrf-token="))!;
  assert.match(csrfCookie, /; Secure/);
  const signIn = await request(`https://localhost:${HTTPS_PORT}/api/auth/callback/credentials`, {
    method: "POST",
    ca,
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie.split(";")[0] },
    body: new URLSearchParams({
      csrfToken: JSON.parse(csrf.body).csrfToken,
      email: ADMIN.email,
      password: ADMIN.password,
      json: "true",
    }).toString(),
  });
  const session = (signIn.headers["set-cookie"] ?? []).find((c) => c.startsWith("__Secure-next-auth.session-token="));
  assert.ok(session, `no session cookie: ${signIn.status} ${JSON.stringify(signIn.headers["set-cookie"])}`);
  assert.match(session, /; Secure/);
  assert.match(session, /HttpOnly/);
  const environments = await request(`https://localhost:${HTTPS_PORT}/environments`, {
    ca,
    headers: { cookie: session.split(";")[0] },
  });
  assert.equal(environments.status, 200);
  assert.match(environments.body, /admin@compose\.test/);
  console.log(`compose up → signed-in page: ${((Date.now() - upAt) / 1000).toFixed(1)} s`);
});

test("through the API: an environment on the engine and one in the console's container, then deleted", async () => {
  const token = JSON.parse(
    (
      await request(`https://localhost:${HTTPS_PORT}/api/v1/auth/token`, {
        method: "POST",
        ca,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ADMIN),
      })
    ).body,
  ).token as string;
  const host = await api("POST", "/api/v1/hosts", token, { name: "here", endpoint: "unix:///var/run/docker.sock" });
  assert.equal(host.status, 201, host.body);
  // The console's containers on the engine (its label); the compose service itself has none.
  const engineContainers = async () =>
    (await run("docker", ["-H", `unix://${socket}`, "ps", "-aq", "--filter", "label=mariner.console=1"])).stdout
      .split("\n")
      .filter(Boolean).length;
  const baseline = await engineContainers();
  for (const spec of [
    { name: "composed", runtime: "docker", host: "here" },
    { name: "inside", runtime: "local" },
  ]) {
    const created = await api("POST", "/api/v1/environments", token, spec);
    assert.equal(created.status, 201, created.body);
    const connection = JSON.parse((await api("GET", `/api/v1/environments/${spec.name}/connection`, token)).body);
    const conn = await mysql.createConnection({ ...connection, connectTimeout: 5000 });
    const [rows] = await conn.query("SELECT VERSION() AS v");
    assert.match((rows as { v: string }[])[0].v, /MariaDB/);
    await conn.end();
  }
  assert.equal(await engineContainers(), baseline + 1);
  for (const name of ["composed", "inside"]) {
    const deleted = await api("DELETE", `/api/v1/environments/${name}`, token);
    assert.ok([200, 204].includes(deleted.status), deleted.body);
  }
  assert.equal(await engineContainers(), baseline);
  assert.equal(JSON.parse((await api("GET", "/api/v1/environments", token)).body).environments.length, 0);
});

test("the console's own backup, taken inside the running container, restores elsewhere", async () => {
  const passphrase = "compose console passphrase";
  await run(
    "docker-compose",
    [
      "-p",
      "marinerprod",
      "exec",
      "-T",
      "-e",
      `MARINER_BACKUP_PASSPHRASE=${passphrase}`,
      "mariner",
      "node",
      "--import",
      "tsx",
      "scripts/console-backup.ts",
      "/data/console.mcb",
    ],
    { env, timeout: 120_000 },
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mariner-compose-backup-")), "console.mcb");
  const { stdout: id } = await compose("ps", "-q", "mariner");
  await run("docker", ["-H", `unix://${socket}`, "cp", `${id.trim()}:/data/console.mcb`, file]);
  const target = path.join(path.dirname(file), "restored");
  const { stdout } = await run("npx", ["tsx", "scripts/console-restore.ts", file], {
    env: { ...process.env, MARINER_DATA_DIR: target, MARINER_BACKUP_PASSPHRASE: passphrase },
  });
  assert.match(stdout, /Restored the console state of .*: 1 users, 0 environments, 1 API tokens/);
  // The console's HTTPS certificate and its CA came along.
  assert.equal(fs.readFileSync(path.join(target, "console-tls", "ca.pem"), "utf8"), ca);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
