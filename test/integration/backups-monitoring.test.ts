import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import zlib from "node:zlib";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { withDamagedDump } from "../support/dump-fault";
import { adminActor, until } from "../support/harness";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("backups");
// Webhooks may only reach loopback addresses an admin allowed: the receiver below binds this one.
const HOOK_HOST = "127.0.0.55";
process.env.MARINER_WEBHOOK_ALLOW = `${HOOK_HOST}/32`;
const svc = await import("../../lib/environments/service");
const rep = await import("../../lib/environments/replication");
const backups = await import("../../lib/backups/service");
const alerts = await import("../../lib/monitoring/alerts");
const sampler = await import("../../lib/monitoring/sampler");
const { db } = await import("../../lib/db/client");
const { actorById } = await import("../../lib/auth/users");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { ServiceError } = await import("../../lib/errors");
const { inspectDump } = await import("../../lib/backups/guard");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
// This suite is about logical backups (dumps: their guard, damaged dumps, row counts); physical ones: physical.test.ts.
const LOGICAL = { input: { method: "logical" } };
const REPL_PASSWORD = "bk-Repl-Secret-77";

async function q<T = Record<string, unknown>>(name: string, sql: string): Promise<T[]> {
  const c = await svc.connectionDetails(actor, name);
  const conn = await mysql.createConnection({ host: c.host, port: c.port, user: "root", password: c.password });
  try {
    return (await conn.query(sql))[0] as T[];
  } finally {
    await conn.end();
  }
}
const count = async (name: string) =>
  Number((await q<{ n: number }>(name, "SELECT COUNT(*) AS n FROM shop.orders"))[0].n);
before(async () => {
  actor = await adminActor();
  for (const name of ["shop", "shopslave"]) await svc.createEnvironment(actor, { name });
  await rep.enableBinlog(actor, "shop");
  await q("shop", "CREATE DATABASE shop");
  await q("shop", "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(255))");
  await q("shop", "INSERT INTO shop.orders (pad) SELECT REPEAT(MD5(seq), 7) FROM shop.seq_1_to_200000");
  await rep.addReplicationUser(actor, "shop", { user: "repl", password: REPL_PASSWORD });
  await rep.configureMaster(actor, "shopslave", { masterEnvironment: "shop", user: "repl", password: REPL_PASSWORD });
  await rep.controlSlave(actor, "shopslave", { action: "full-start" });
  await until(
    () => count("shopslave"),
    (n) => n === 200_000,
    60_000,
  );
});

after(async () => {
  sampler.stopSampler();
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("backup from the paused slave while the master takes writes; the slave catches up; restore as a slave misses nothing", async () => {
  let writing = true;
  const writer = (async () => {
    while (writing) await q("shop", "INSERT INTO shop.orders (pad) VALUES ('during backup')");
  })();
  const t0 = Date.now();
  const result = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  const took = Date.now() - t0;
  writing = false;
  await writer;
  const row = await db().backup.findUniqueOrThrow({ where: { id: result.id } });
  console.log(
    `backup of ~52 MB: ${took} ms, ${(row.sizeBytes! / 1048576).toFixed(1)} MB gzip, position ${row.gtidPosition}`,
  );
  assert.equal(row.status, "succeeded");
  assert.equal(row.sourceName, "shopslave");
  assert.match(row.method, /SQL thread paused/);
  assert.match(row.sha256!, /^[0-9a-f]{64}$/);
  assert.match(row.gtidPosition!, /^0-\d+-\d+$/);
  const st = await rep.replicationStatus(actor, "shopslave");
  assert.equal(`${st.slave!.Slave_IO_Running}/${st.slave!.Slave_SQL_Running}`, "Yes/Yes", "the slave resumed");
  const total = await count("shop");
  assert.equal(
    await until(
      () => count("shopslave"),
      (n) => n === total,
    ),
    total,
    "and caught up",
  );

  const r0 = Date.now();
  await (
    await backups.beginRestore(actor, result.id, { name: "restored", asSlave: true })
  ).done;
  console.log(`restore as slave: ${Date.now() - r0} ms`);
  assert.equal(
    await until(
      () => count("restored"),
      (n) => n === total,
    ),
    total,
    "every row up to the position, then the rest by replication",
  );
  const rs = await rep.replicationStatus(actor, "restored");
  assert.equal(rs.health.state, "running");
  // Into an existing name without overwrite: refused as taken, and shop keeps its rows.
  await assert.rejects(
    backups.beginRestore(actor, result.id, { name: "shop" }),
    (e: unknown) => e instanceof ServiceError && e.code === "name_taken",
  );
  assert.equal(await count("shop"), total, "shop is untouched");
  await svc.deleteEnvironment(actor, "restored");
});

test("verified backups: a test restore matches the recorded row counts; a damaged file fails verification", async () => {
  const good = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  const row = await db().backup.findUniqueOrThrow({ where: { id: good.id } });
  const contents = JSON.parse(row.contents!);
  assert.ok(contents["shop.orders"] >= 200_000, "row counts recorded while the slave was paused");
  assert.match(JSON.parse(row.checksums!)["shop.orders"], /^\d+$/, "CHECKSUM TABLE recorded too");
  const t0 = Date.now();
  const verdict = await backups.verifyBackup(actor, good.id);
  console.log(`verification (test restore + counts) ${Date.now() - t0} ms: ${verdict.text}`);
  assert.match(verdict.text, /verified: \d+ tables, \d+ rows and checksums match/);
  assert.match((await db().backup.findUniqueOrThrow({ where: { id: good.id } })).verification!, /^ok/);
  // Same row count, different content: a dump whose first order lost its pad value on the way to the file.
  // The file's own SHA-256 is consistent (the console hashed what it was given); the CHECKSUM TABLE recorded
  // on the paused slave tells the restored table apart.
  // (mariadb-dump 10.11 writes a row per line; the " ?" also covers the one-line form of other versions.)
  const { result: damaged, calls } = await withDamagedDump(
    "s/^((INSERT INTO `orders` VALUES ?)?\\(1,')[0-9a-f]+'/\\1damaged'/",
    async () => (await backups.beginBackup(actor, "shop", LOGICAL)).done,
  );
  assert.equal(calls.length, 1, "the backup went through the damaging mariadb-dump");
  const damagedRow = await db().backup.findUniqueOrThrow({ where: { id: damaged.id } });
  const dumped = zlib.gunzipSync(fs.readFileSync(damagedRow.file)).toString();
  assert.equal(dumped.match(/\(1,'damaged'\)/g)?.length, 1, "the file really holds the changed value, once");
  assert.equal(
    dumped.includes(`(1,'${"c4ca4238a0b923820dcc509a6f75849b".repeat(7)}')`),
    false,
    "and not the original one",
  );
  await inspectDump(damagedRow.file, damagedRow.sha256); // consistent with its own recorded checksum
  const recordedSum = JSON.parse(damagedRow.checksums!)["shop.orders"];
  assert.match(recordedSum, /^\d+$/, "the server's CHECKSUM TABLE was recorded");
  const mismatch = await backups.verifyBackup(actor, damaged.id).then(
    () => assert.fail("a backup with a changed value verified"),
    (e: unknown) => e,
  );
  assert.ok(mismatch instanceof ServiceError && mismatch.code === "verification_failed", String(mismatch));
  const m = /shop\.orders: same (\d+) rows but different content \(CHECKSUM TABLE (\d+) → (\d+)\)/.exec(
    mismatch.message,
  );
  assert.ok(m, mismatch.message);
  assert.equal(Number(m[1]), JSON.parse(damagedRow.contents!)["shop.orders"], "the row count matched");
  assert.equal(m[2], recordedSum, "compared with what the server recorded");
  assert.notEqual(m[3], m[2]);
  assert.match((await db().backup.findUniqueOrThrow({ where: { id: damaged.id } })).verification!, /^FAILED/);

  const bad = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  const file = (await db().backup.findUniqueOrThrow({ where: { id: bad.id } })).file;
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  // A truncated file cannot even be read: refused before any restore, for that reason.
  await assert.rejects(
    backups.verifyBackup(actor, bad.id),
    (e: unknown) =>
      e instanceof ServiceError &&
      e.code === "verification_failed" &&
      /restore failed: The backup file cannot be read/.test(e.message),
  );
  assert.match((await db().backup.findUniqueOrThrow({ where: { id: bad.id } })).verification!, /^FAILED/);
  assert.equal(
    (await svc.listEnvironments(actor)).filter((e) => e.name.startsWith("verify-")).length,
    0,
    "the temporary environment is gone",
  );
  for (const id of [good.id, damaged.id, bad.id]) {
    fs.rmSync((await db().backup.findUniqueOrThrow({ where: { id } })).file, { force: true });
    await db().backup.delete({ where: { id } });
  }
});

test("scheduled backups fire; retention keeps the last N", async () => {
  await backups.setBackupPolicy(actor, "shop", { schedule: "* * * * *", keepLast: 2 });
  await assert.rejects(
    backups.setBackupPolicy(actor, "shop", { schedule: "every day" }),
    (e: unknown) => e instanceof ServiceError && e.status === 400 && /A schedule has 5 fields/.test(e.message),
  );
  assert.equal(
    (await backups.getBackupPolicy(actor, "shop"))?.schedule,
    "* * * * *",
    "the refused schedule changed nothing",
  );
  const started = await backups.runDueBackups(new Date(), actorById);
  assert.deepEqual(started, ["shop"]);
  assert.deepEqual(await backups.runDueBackups(new Date(), actorById), [], "once per minute");
  await until(
    () => db().backup.count({ where: { scheduled: true, status: "succeeded" } }),
    (n) => n === 1,
    60_000,
  );
  await (
    await backups.beginBackup(actor, "shop", LOGICAL)
  ).done;
  const kept = await backups.listBackups(actor, "shop");
  assert.equal(kept.length, 2, "the oldest was deleted");
  for (const b of kept) assert.ok(fs.existsSync(b.file));
  assert.equal(fs.readdirSync(backups.backupsDir()).length, 2);
});

test("an alert fires on a stopped SQL thread, reaches the webhook, and clears after start", async () => {
  const received: { event: string }[] = [];
  const hook = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, HOOK_HOST, r));
  const url = `http://${HOOK_HOST}:${(hook.address() as AddressInfo).port}/hook`;
  try {
    await alerts.addRule(actor, "shopslave", { kind: "thread-stopped", webhookUrl: url });
    await assert.rejects(alerts.addRule(actor, "shopslave", { kind: "weather" }), /kind must be one of/);
    sampler.startSampler(250);
    await rep.controlSlave(actor, "shopslave", { action: "stop-sql" });
    const t0 = Date.now();
    await waitFor(async () => (await db().alert.count({ where: { clearedAt: null } })) === 1, {
      what: "the thread-stopped alert to fire",
    });
    console.log(
      `alert fired ${Date.now() - t0} ms after the SQL thread stopped (sampler every 250 ms here, 2 s in the console)`,
    );
    const open = await alerts.listAlerts(actor);
    assert.match(open.alerts[0].message, /SQL No/);
    await rep.controlSlave(actor, "shopslave", { action: "start-sql" });
    await waitFor(async () => (await db().alert.count({ where: { clearedAt: null } })) === 0, {
      what: "the alert to clear",
    });
    await waitFor(() => received.length >= 2, { what: "both webhook deliveries" });
    assert.deepEqual(
      received.map((r) => r.event),
      ["alert.fired", "alert.cleared"],
    );
  } finally {
    sampler.stopSampler();
    hook.close();
  }
});

test("lag history is sampled with canary milliseconds", async () => {
  await sampler.sampleOnce({ lag: true, canary: true });
  const env = await svc.getEnvironment(actor, "shopslave");
  const points = await sampler.lagHistory(env.id);
  assert.ok(points.length >= 1);
  assert.ok(points.some((p) => typeof p.canary === "number" && p.canary >= 0));
  assert.ok(points.every((p) => p.lag !== null && p.lag >= 0));
});

test("every action is in the audit log, without a secret", async () => {
  const ops = await db().operation.findMany();
  const actions = new Set(ops.map((o) => o.action));
  for (const a of [
    "environment.create",
    "config.save",
    "replication.add-user",
    "replication.configure-master",
    "replication.full-start",
    "backup.take",
    "backup.scheduled",
    "backup.restore",
  ]) {
    assert.ok(actions.has(a), `${a} audited`);
  }
  for (const o of ops) assert.ok(!(o.params ?? "").includes(REPL_PASSWORD), `${o.action} params hold a password`);
});
