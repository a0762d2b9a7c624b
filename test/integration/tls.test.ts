import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("tls");
const svc = await import("../../lib/environments/service");
const rep = await import("../../lib/environments/replication");
const sql = await import("../../lib/environments/sql");
const tls = await import("../../lib/environments/tls");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

before(async () => {
  actor = await adminActor();
  for (const name of ["secmaster", "secslave"]) await svc.createEnvironment(actor, { name });
  await rep.enableBinlog(actor, "secmaster");
  await rep.addReplicationUser(actor, "secmaster", { user: "repl", password: "repl-pass-1" });
  await rep.configureMaster(actor, "secslave", {
    masterEnvironment: "secmaster",
    user: "repl",
    password: "repl-pass-1",
  });
  await rep.controlSlave(actor, "secslave", { action: "full-start" });
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function canary(n = 15) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await rep.checkReplication(actor, "secmaster")).slaves[0].ms!);
  return median(ms);
}

async function replLogin(ssl?: { ca: string; cert?: string; key?: string }) {
  const m = await svc.getEnvironment(actor, "secmaster");
  const c = await mysql.createConnection({
    host: m.nodes[0].host,
    port: m.nodes[0].port,
    user: "repl",
    password: "repl-pass-1",
    ssl,
  });
  await c.end();
}

test("Encrypt replication: on (verified TLS, plain login refused), certificate rotation keeps replicating, off again", async () => {
  const plainMs = await canary();
  const on = await tls.setReplicationTls(actor, "secslave", { enabled: true });
  assert.equal(on.masterSslAllowed, "Yes");
  assert.equal(on.verifyServerCert, "Yes");
  assert.equal(on.threads, "Yes/Yes");
  assert.match(on.negotiated!.version ?? "", /^TLSv1\.[23]$/);
  console.log(`TLS ${on.negotiated!.version} ${on.negotiated!.cipher}`);
  await assert.rejects(replLogin(), /Access denied/, "a non-TLS login of the replication user is refused");
  const ca = fs.readFileSync(path.join(dataDir, "ca", "ca.crt"), "utf8");
  await assert.rejects(
    replLogin({ ca }),
    /Access denied/,
    "TLS without the console-issued client certificate is refused too",
  );
  const slaveTls = path.join((await svc.getEnvironment(actor, "secslave")).nodes[0].baseDir!, "tls");
  await replLogin({
    ca,
    cert: fs.readFileSync(path.join(slaveTls, "replication-client.pem"), "utf8"),
    key: fs.readFileSync(path.join(slaveTls, "replication-client-key.pem"), "utf8"),
  });
  const tlsMs = await canary();
  console.log(`canary plain ${plainMs} ms, TLS ${tlsMs} ms`);

  // Rotation: a new certificate is loaded without a restart; replication keeps going.
  const master = await svc.getEnvironment(actor, "secmaster");
  const certFile = path.join(master.nodes[0].baseDir!, "tls", "server.pem");
  const before = fs.readFileSync(certFile, "utf8");
  const pid = master.nodes[0].pid;
  const rotated = await tls.ensureServerTls(actor, master, true);
  assert.equal(rotated.rotated, true);
  assert.notEqual(fs.readFileSync(certFile, "utf8"), before);
  assert.equal((await svc.getEnvironment(actor, "secmaster")).nodes[0].pid, pid, "no restart");
  await rep.controlSlave(actor, "secslave", { action: "full-stop" });
  await rep.controlSlave(actor, "secslave", { action: "full-start" }); // reconnects: handshake with the new certificate
  await sql.runSql(actor, "secmaster", { statement: "CREATE DATABASE after_rotation" });
  await waitFor(async () => (await sql.databases(actor, "secslave")).includes("after_rotation"), {
    what: "a database made after the rotation to reach secslave",
  });
  assert.equal((await rep.replicationStatus(actor, "secslave")).slave!.Master_SSL_Allowed, "Yes");

  const off = await tls.setReplicationTls(actor, "secslave", { enabled: false });
  assert.equal(off.masterSslAllowed, "No");
  assert.equal(off.threads, "Yes/Yes");
  await replLogin();
});

test("the CA key is encrypted at rest", () => {
  const enc = fs.readFileSync(path.join(dataDir, "ca", "ca.key.enc"), "utf8");
  assert.doesNotMatch(enc, /PRIVATE KEY/);
  assert.match(enc, /^v1\./);
});
