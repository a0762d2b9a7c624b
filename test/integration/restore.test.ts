import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { withDamagedDump } from "../support/dump-fault";
import { adminActor } from "../support/harness";
import { connectionId, describeError, isLostConnection, watchLoss } from "../support/sessions";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("restore");
const svc = await import("../../lib/environments/service");
const backups = await import("../../lib/backups/service");
const alerts = await import("../../lib/monitoring/alerts");
const { asRoot } = await import("../../lib/environments/root");
const { discoverTopology } = await import("../../lib/topology/discover");
const { db } = await import("../../lib/db/client");
const { actorById } = await import("../../lib/auth/users");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { ServiceError } = await import("../../lib/errors");
const { inspectDump } = await import("../../lib/backups/guard");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
// This suite is about logical backups (dumps: their guard, damaged dumps, row counts); physical ones: physical.test.ts.
const LOGICAL = { input: { method: "logical" } };

before(async () => {
  actor = await adminActor();
  for (const name of ["shop", "prod"]) await svc.createEnvironment(actor, { name });
  await (await import("../../lib/environments/replication")).enableBinlog(actor, "shop");
  await sql("shop", "CREATE DATABASE app");
  await sql("shop", "CREATE TABLE app.orders (id INT PRIMARY KEY)");
  await sql("shop", "INSERT INTO app.orders VALUES (1), (2), (3)");
  // Stored programs and a view: mariadb-dump writes their bodies verbatim between DELIMITER lines.
  await sql(
    "shop",
    "CREATE PROCEDURE app.recount() BEGIN\n  -- use the orders table, not other_db\n  SELECT COUNT(*) FROM app.orders;\nEND",
  );
  await sql("shop", "CREATE TABLE app.audit (n INT)");
  await sql(
    "shop",
    "CREATE TRIGGER app.orders_ai AFTER INSERT ON app.orders FOR EACH ROW BEGIN\n  INSERT INTO app.audit VALUES (NEW.id);\nEND",
  );
  await sql("shop", "CREATE VIEW app.big_orders AS SELECT id FROM app.orders WHERE id > 1");
  // The dump of shop switches to other_db: a name prod also uses, for its own precious data.
  await sql("shop", "CREATE DATABASE other_db");
  await sql("shop", "CREATE TABLE other_db.notes (id INT PRIMARY KEY)");
  await sql("shop", "INSERT INTO other_db.notes VALUES (10)");
  await sql("prod", "CREATE DATABASE other_db");
  await sql("prod", "CREATE TABLE other_db.precious (id INT PRIMARY KEY)");
  await sql("prod", "INSERT INTO other_db.precious VALUES (42)");
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function sql(name: string, statement: string, values?: unknown[]) {
  return asRoot(
    await svc.getEnvironment(actor, name),
    async (c) => (await c.query(statement, values))[0] as Record<string, unknown>[],
  );
}
const databases = async (name: string) =>
  (
    await sql(
      name,
      "SELECT schema_name AS s FROM information_schema.SCHEMATA WHERE schema_name NOT IN ('mysql','information_schema','performance_schema','sys') ORDER BY 1",
    )
  ).map((r) => String(r.s));
const rejects = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (e: unknown) => e instanceof ServiceError && e.code === code, code);

/** A backup row for a hand-written dump (what a foreign or tampered file looks like to the console). */
async function craftedBackup(from: string, text: string) {
  const env = await svc.getEnvironment(actor, from);
  const file = path.join(backups.backupsDir(), `crafted-${crypto.randomBytes(4).toString("hex")}.sql.gz`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const gz = zlib.gzipSync(text);
  fs.writeFileSync(file, gz);
  return db().backup.create({
    data: {
      environmentId: env.id,
      environmentName: env.name,
      ownerId: env.ownerId,
      sourceName: env.name,
      method: "crafted",
      file,
      status: "succeeded",
      sizeBytes: gz.length,
      sha256: crypto.createHash("sha256").update(gz).digest("hex"),
    },
  });
}

test("a restore goes into a new environment; the dump's USE other_db stays inside it", async () => {
  const taken = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  // A master without slaves: its row counts come from a snapshot at the dump's own binlog position.
  const recorded = JSON.parse((await db().backup.findUniqueOrThrow({ where: { id: taken.id } })).contents ?? "null");
  assert.deepEqual(recorded, { "app.audit": 0, "app.orders": 3, "other_db.notes": 1 });
  assert.match((await backups.verifyBackup(actor, taken.id)).text, /verified: 3 tables, 4 rows match/);
  // Under concurrent writes the two snapshots may stand at different positions: counts are then not recorded,
  // and when they are, they are the dump's — a test restore never reports a mismatch that is not there.
  await sql("shop", "CREATE TABLE app.stream (id INT AUTO_INCREMENT PRIMARY KEY)");
  let writing = true;
  const writer = (async () => {
    while (writing) await sql("shop", "INSERT INTO app.stream VALUES ()");
  })();
  const busy = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  writing = false;
  await writer;
  const verdict = await backups.verifyBackup(actor, busy.id);
  assert.equal(verdict.ok, true, verdict.text);
  console.log(`backup under writes: ${verdict.text}`);
  await rejects(backups.beginRestore(actor, taken.id, { name: "prod" }), "name_taken");
  await (
    await backups.beginRestore(actor, taken.id, { name: "shop-copy" })
  ).done;
  assert.deepEqual(await databases("shop-copy"), ["app", "other_db"]);
  assert.deepEqual(
    (await sql("shop-copy", "SELECT id FROM other_db.notes")).map((r) => r.id),
    [10],
  );
  const programs = await sql(
    "shop-copy",
    "SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) AS p FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'app' UNION ALL SELECT CONCAT('TRIGGER ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'app' UNION ALL SELECT CONCAT('VIEW ', TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'app'",
  );
  assert.deepEqual(
    programs.map((r) => r.p).sort(),
    ["PROCEDURE recount", "TRIGGER orders_ai", "VIEW big_orders"],
    "routines, triggers and views restored",
  );
  // prod, which has its own other_db, is untouched.
  assert.deepEqual(
    (await sql("prod", "SELECT id FROM other_db.precious")).map((r) => r.id),
    [42],
  );
  assert.equal(
    (
      await sql(
        "prod",
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE table_schema = 'other_db' AND table_name = 'notes'",
      )
    )[0].n,
    0,
  );
});

test("a dump that switches to a database it does not create, or to mysql, is refused before anything is created", async () => {
  const sneaky = await craftedBackup(
    "shop",
    "CREATE DATABASE app;\nUSE `app`;\nCREATE TABLE t (id INT);\nUSE `other_db`;\nDROP TABLE precious;\n",
  );
  const root = await craftedBackup(
    "shop",
    "CREATE DATABASE app;\nUSE `app`;\nUSE mysql;\nUPDATE global_priv SET Priv = '{}' WHERE User = 'root';\n",
  );
  for (const b of [sneaky, root]) {
    await assert.rejects(
      backups.beginRestore(actor, b.id, { name: "prod", overwrite: true, confirm: "prod" }),
      (e: unknown) =>
        e instanceof ServiceError &&
        e.code === "unsafe_dump" &&
        (e.lines ?? []).some((l) => /USE (other_db|mysql)/.test(l)),
    );
    await rejects(backups.beginRestore(actor, b.id, { name: "sneaky-new" }), "unsafe_dump");
  }
  assert.equal(await svc.findEnvironment(actor, "sneaky-new"), null, "nothing half-created");
  assert.deepEqual(
    (await sql("prod", "SELECT id FROM other_db.precious")).map((r) => r.id),
    [42],
  );

  // A file changed after it was taken fails its checksum.
  const taken = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  const row = await db().backup.findUniqueOrThrow({ where: { id: taken.id } });
  fs.writeFileSync(
    row.file,
    zlib.gzipSync(
      zlib
        .gunzipSync(fs.readFileSync(row.file))
        .toString()
        .replace(/INSERT INTO `orders`[^\n]*\n/, ""),
    ),
  );
  // Refused for the checksum (not as unreadable, not as unsafe), before anything is created.
  await assert.rejects(
    backups.beginRestore(actor, row.id, { name: "tampered" }),
    (e: unknown) => e instanceof ServiceError && e.code === "corrupt_backup" && /SHA-256 differs/.test(e.message),
  );
  assert.equal(await svc.findEnvironment(actor, "tampered"), null, "nothing created for a tampered file");
  await db().backup.delete({ where: { id: row.id } });
});

test("restore over an existing environment: typed name required, safety backup first, then exactly the backup's databases", async () => {
  const taken = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  await rejects(backups.beginRestore(actor, taken.id, { name: "prod", overwrite: true }), "confirmation_required");
  await rejects(
    backups.beginRestore(actor, taken.id, { name: "prod", overwrite: true, confirm: "Prod" }),
    "confirmation_required",
  );
  assert.deepEqual(await databases("prod"), ["other_db"], "a refused confirmation changed nothing");

  const before = await db().backup.count({ where: { environmentName: "prod" } });
  // An application session open on prod, and a backup asked for while the restore runs.
  await sql("prod", "CREATE USER app@'%' IDENTIFIED BY 'app-pass-9'");
  await sql("prod", "GRANT ALL ON other_db.* TO app@'%'");
  const prodLogin = await svc.connectionDetails(actor, "prod");
  const mysql = (await import("mysql2/promise")).default;
  const app = await mysql.createConnection({
    host: prodLogin.host,
    port: prodLogin.port,
    user: "app",
    password: "app-pass-9",
  });
  const appSession = await connectionId(app);
  const appLost = watchLoss(app);
  const inProcesslist = async (id: number) =>
    Number((await sql("prod", "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?", [id]))[0].n);
  assert.equal(await inProcesslist(appSession), 1, "the application's session is open before the restore");
  const restoring = await backups.beginRestore(actor, taken.id, { name: "prod", overwrite: true, confirm: "prod" });
  const { getOperation } = await import("../../lib/operations");
  // Polled often: from the safety backup to the end the restore runs about a second here.
  const { value: midway } = await waitFor(
    async () => {
      const op = await getOperation(restoring.operationId);
      return op?.steps.some((s) => /^safety backup/.test(s.name)) ? op : null;
    },
    { what: "the restore over prod to reach its safety backup", timeoutMs: 120_000, everyMs: 10 },
  );
  assert.equal(midway.status, "running", "seen while the restore still runs");
  await assert.rejects(
    backups.beginBackup(actor, "prod", LOGICAL),
    (e: unknown) => e instanceof ServiceError && e.code === "busy",
    "no backup of a half-loaded copy",
  );
  const result = (await restoring.done) as unknown as { safetyBackup: string };
  // The freeze closed the session: gone from the server's processlist, and the client was told so. (A statement
  // on a table the restore dropped would fail on a live session too: SELECT 1 needs no table.)
  assert.equal(await inProcesslist(appSession), 0, `session ${appSession} is gone from prod's processlist`);
  assert.equal(appLost()?.code, "PROTOCOL_CONNECTION_LOST", "the server closed the application's connection");
  await assert.rejects(app.query("SELECT 1"), (e: unknown) => {
    assert.ok(isLostConnection(e), `the session is closed, not failing for another reason: ${describeError(e)}`);
    return true;
  });
  app.destroy();
  assert.equal(await db().backup.count({ where: { environmentName: "prod" } }), before + 1);
  const safety = await db().backup.findUniqueOrThrow({ where: { id: result.safetyBackup } });
  assert.equal(safety.status, "succeeded");
  assert.deepEqual(await databases("prod"), ["app", "other_db"]);
  assert.deepEqual((await sql("prod", "SELECT COUNT(*) AS n FROM app.orders"))[0].n, 3);
  assert.equal(
    (
      await sql(
        "prod",
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE table_schema = 'other_db' AND table_name = 'precious'",
      )
    )[0].n,
    0,
  );
  assert.equal(Number((await sql("prod", "SELECT @@read_only AS ro"))[0].ro), 0, "writable again after the restore");

  // The safety backup brings the old data back (into a new environment, the default).
  await (
    await backups.beginRestore(actor, safety.id, { name: "prod-before" })
  ).done;
  assert.deepEqual(
    (await sql("prod-before", "SELECT id FROM other_db.precious")).map((r) => r.id),
    [42],
  );
});

test("a scheduled test restore verifies the latest backup and raises an alert on a mismatch", async () => {
  await backups.setBackupPolicy(actor, "shop", { verifySchedule: "* * * * *" });
  // A dump that silently lost a row: row (1) of app.orders never reaches the file. The console hashes what it
  // was given, so the file's own checksum holds; only the row counts recorded from the server can tell.
  // (mariadb-dump 10.11 writes a row per line; the second line covers the one-line form of other versions.)
  const dropFirstOrder = [
    "/^INSERT INTO `orders` VALUES$/,/;$/ { /^\\(1\\),$/d }",
    "s/^(INSERT INTO `orders` VALUES ?)\\(1\\),/\\1/",
  ].join("\n");
  const { result: taken, calls } = await withDamagedDump(
    dropFirstOrder,
    async () => (await backups.beginBackup(actor, "shop", LOGICAL)).done,
  );
  assert.equal(calls.length, 1, "the backup went through the damaging mariadb-dump");
  const row = await db().backup.findUniqueOrThrow({ where: { id: taken.id } });
  const orders = /INSERT INTO `orders` VALUES([^;]*);/
    .exec(zlib.gunzipSync(fs.readFileSync(row.file)).toString())?.[1]
    .replace(/\s/g, "");
  assert.equal(orders, "(2),(3)", "the file really lacks row 1");
  assert.equal(JSON.parse(row.contents ?? "null")?.["app.orders"], 3, "the server's own count (3) was recorded");
  await inspectDump(row.file, row.sha256); // the damaged file is consistent with its recorded SHA-256
  const now = new Date();
  const [verdict] = await backups.runDueVerifications(now, actorById);
  assert.equal(verdict.backup, taken.id);
  assert.equal(verdict.ok, false);
  assert.match(verdict.text, /app\.orders: expected 3 rows, restored 2/);
  assert.deepEqual(await backups.runDueVerifications(now, actorById), [], "once per matching minute");
  assert.equal(
    await svc.findEnvironment(actor, `verify-${taken.id.slice(-8)}`),
    null,
    "the temporary environment is gone",
  );

  const shopEnv = await svc.getEnvironment(actor, "shop");
  await alerts.evaluateAlerts(actor.id, await discoverTopology(actor));
  const open = await db().alert.findMany({ where: { environmentId: shopEnv.id, clearedAt: null } });
  assert.equal(open.length, 1);
  assert.match(open[0].message, /test restore FAILED.*app\.orders: expected 3 rows, restored 2/);

  // A later real backup, untouched, verifies against what it recorded and clears the alert.
  const good = await (await backups.beginBackup(actor, "shop", LOGICAL)).done;
  const recorded = JSON.parse((await db().backup.findUniqueOrThrow({ where: { id: good.id } })).contents ?? "null");
  assert.equal(
    recorded?.["app.orders"],
    3,
    "the good backup recorded its own row counts (a verdict without them proves nothing)",
  );
  const [ok] = await backups.runDueVerifications(new Date(now.getTime() + 60_000), actorById);
  assert.equal(ok.backup, good.id, "the latest backup is the one verified");
  assert.equal(ok.ok, true, ok.text);
  assert.match(ok.text, /^verified: \d+ tables, \d+ rows match/);
  await alerts.evaluateAlerts(actor.id, await discoverTopology(actor));
  assert.equal(await db().alert.count({ where: { environmentId: shopEnv.id, clearedAt: null } }), 0);
  assert.equal(
    await db().alert.count({ where: { id: open[0].id, clearedAt: { not: null } } }),
    1,
    "the very alert that fired is the one cleared",
  );
});

test("a dump that breaks half-way (a view over a dropped table) is marked failed, with mariadb-dump's own lines, and leaves no file", async () => {
  // zz_ sorts last: the databases before it are already written when the dump fails.
  await sql("shop", "CREATE DATABASE zz_broken");
  await sql("shop", "CREATE TABLE zz_broken.t (id INT)");
  await sql("shop", "CREATE VIEW zz_broken.v AS SELECT id FROM zz_broken.t");
  await sql("shop", "DROP TABLE zz_broken.t");
  try {
    const { done } = await backups.beginBackup(actor, "shop", LOGICAL);
    await assert.rejects(
      done,
      (e: unknown) =>
        e instanceof ServiceError &&
        e.code === "backup_failed" &&
        (e.lines ?? []).some((l) => /zz_broken|invalid table/i.test(l)),
    );
    const row = await db().backup.findFirstOrThrow({
      where: { environmentName: "shop" },
      orderBy: { startedAt: "desc" },
    });
    assert.equal(row.status, "failed");
    assert.match(row.error!, /mariadb-dump failed/);
    assert.equal(fs.existsSync(row.file), false, "no partial file is kept");
  } finally {
    await sql("shop", "DROP DATABASE zz_broken");
  }
});

test("rolling an environment back to its own older backup: the safety backup's retention never deletes that backup", async () => {
  await svc.createEnvironment(actor, { name: "roll" });
  await sql("roll", "CREATE DATABASE ledger");
  await sql("roll", "CREATE TABLE ledger.entries (id INT PRIMARY KEY, v VARCHAR(10))");
  await sql("roll", "INSERT INTO ledger.entries VALUES (1, 'v1')");
  const v1 = await (await backups.beginBackup(actor, "roll", LOGICAL)).done;
  await sql("roll", "UPDATE ledger.entries SET v = 'v2'");
  await backups.setBackupPolicy(actor, "roll", { keepLast: 1 });
  assert.ok(await db().backup.findUnique({ where: { id: v1.id } }), "v1 is the only backup: retention keeps it");

  const result = (await (
    await backups.beginRestore(actor, v1.id, { name: "roll", overwrite: true, confirm: "roll" })
  ).done) as unknown as { safetyBackup: string };
  assert.deepEqual(
    (await sql("roll", "SELECT v FROM ledger.entries")).map((r) => r.v),
    ["v1"],
  );
  assert.ok(await db().backup.findUnique({ where: { id: v1.id } }), "the restored backup survived the safety backup");
  const safety = await db().backup.findUniqueOrThrow({ where: { id: result.safetyBackup } });
  assert.match(safety.method, /safety backup/);
  // The safety backup holds v2: rolling forward again is possible.
  await (
    await backups.beginRestore(actor, safety.id, { name: "roll-v2" })
  ).done;
  assert.deepEqual(
    (await sql("roll-v2", "SELECT v FROM ledger.entries")).map((r) => r.v),
    ["v2"],
  );
});
