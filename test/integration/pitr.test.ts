// Point-in-time recovery on real servers: a writer records (id, commit second, GTID); the binary logs are archived
// continuously across two failovers; restores to times in each era and to a GTID hold
// exactly the rows committed up to each target; retention prunes the archive with the backups.
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor, until } from "../support/harness";
import type { Actor } from "../../lib/auth/actor";

const dataDir = useTempDataDir("pitr");
const svc = await import("../../lib/environments/service");
const rep = await import("../../lib/environments/replication");
const topo = await import("../../lib/topology");
const backups = await import("../../lib/backups/service");
const { startArchiver, stopArchiver } = await import("../../lib/backups/binlog-archive");
const { db } = await import("../../lib/db/client");
const { vantagePoints } = await import("../../lib/topology/preflight");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");

let actor: Actor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function q<T = Record<string, unknown>>(name: string, sql: string, values?: unknown[]): Promise<T[]> {
  const d = await svc.connectionDetails(actor, name);
  const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  try {
    return (await c.query(sql, values))[0] as T[];
  } finally {
    await c.end();
  }
}

interface Row {
  id: number;
  at: string;
  seq: number;
}
const committed: Row[] = [];

/** Inserts for `ms`, one transaction every ~30 ms, recording each row's commit second and GTID. */
async function write(name: string, ms: number) {
  const d = await svc.connectionDetails(actor, name);
  const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    await c.query("INSERT INTO ledger.entries (at) VALUES (NOW())");
    const [[r]] = (await c.query(
      "SELECT LAST_INSERT_ID() AS id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s') AS at, @@last_gtid AS g FROM ledger.entries WHERE id = LAST_INSERT_ID()",
    )) as unknown as [{ id: number; at: string; g: string }[]];
    committed.push({ id: Number(r.id), at: r.at, seq: Number(r.g.split("-")[2]) });
    await sleep(30);
  }
  await c.end();
}

const idsIn = async (name: string) =>
  (await q<{ id: number }>(name, "SELECT id FROM ledger.entries ORDER BY id")).map((r) => Number(r.id));

async function restoreTo(name: string, to: { time?: string; gtid?: string }) {
  const t0 = Date.now();
  const { operationId, done } = await backups.beginPointInTimeRestore(actor, "ledger", { name, ...to });
  const result = await done;
  console.log(`point-in-time restore to ${to.time ?? to.gtid}: ${Date.now() - t0} ms, ${result.transactions} replayed`);
  return { result, operationId };
}

before(async () => {
  process.env.MARINER_RESTART_POLICY = "never";
  process.env.MARINER_ANTI_FLAP_SECONDS = "0";
  actor = await adminActor();
  await svc.createEnvironment(actor, { name: "ledger" });
  await rep.enableBinlog(actor, "ledger");
  await q("ledger", "CREATE DATABASE ledger");
  await q("ledger", "CREATE TABLE ledger.entries (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME NOT NULL)");
  await (
    await topo.beginAddSlaves(actor, "ledger", { count: 2 })
  ).done;
  await assert.rejects(
    backups.setBinlogArchive(actor, "ledger-slave-1", { enabled: true }),
    /ledger-slave-1 is a slave: archive its master's binary logs/,
  );
  await backups.setBinlogArchive(actor, "ledger", { enabled: true });
  startArchiver(200);
});

after(async () => {
  stopArchiver();
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The writer stops, every slave has everything, the master is killed and `to` takes over. */
async function failOver(from: string, to: string, others: string[]) {
  const caughtUp = (await q<{ p: string }>(from, "SELECT @@gtid_binlog_pos AS p"))[0].p;
  for (const slave of [to, ...others]) {
    const at = await until(
      async () => (await q<{ p: string }>(slave, "SELECT @@gtid_slave_pos AS p"))[0].p,
      (p) => p === caughtUp,
    );
    assert.equal(at, caughtUp, `${slave} has everything ${from} wrote`);
  }
  process.kill((await svc.getEnvironment(actor, from)).nodes[0].pid!, "SIGKILL");
  // Until the other slaves' IO threads notice too, the failover refuses to act on one vantage point.
  const seen = await until(
    () => vantagePoints(actor, from),
    (v) => v.receiving === 0,
    15_000,
  );
  assert.equal(seen?.receiving, 0);
  await (
    await topo.beginFailover(actor, from, { candidate: to })
  ).done;
}

test("a topology that failed over twice: restores to times in each era and to a GTID hold exactly the rows committed by then", async () => {
  await write("ledger", 1200); // before the backup: in it
  const base = await (await backups.beginBackup(actor, "ledger")).done;
  await sleep(1100); // the first target second starts after the backup finished
  const eraStarts = [committed.length];
  await write("ledger", 3000);
  await failOver("ledger", "ledger-slave-1", ["ledger-slave-2"]);
  eraStarts.push(committed.length);
  await write("ledger-slave-1", 2500);
  await failOver("ledger-slave-1", "ledger-slave-2", []);
  eraStarts.push(committed.length);
  await write("ledger-slave-2", 2500);
  const last = committed.at(-1)!;
  // The archive follows each new master and catches up with the last transaction.
  const view = await until(
    () => backups.pointInTimeView(actor, "ledger"),
    (v) => !!v?.to && v.to.getTime() >= Date.parse(`${last.at}Z`),
    20_000,
  );
  assert.ok(view, "the archive has the last transaction");
  assert.deepEqual(
    view!.eras.map((e) => e.name),
    ["ledger", "ledger-slave-1", "ledger-slave-2"],
    "one era per master, each its own files",
  );
  assert.ok(view!.eras.every((e) => e.files > 0));
  assert.deepEqual(view!.gaps, [], "GTIDs continuous across both failovers");
  assert.ok(view!.from! <= new Date(Date.parse(`${committed[eraStarts[0]].at}Z`)), "the window starts at the backup");
  console.log(
    `recoverable window after two failovers: ${view!.from!.toISOString()} → ${view!.to!.toISOString()}; ` +
      view!.eras.map((e) => `${e.name} since ${e.since} (${e.files} files, ${e.bytes} bytes)`).join("; "),
  );

  const seconds = [...new Set(committed.map((r) => r.at))];
  const inEra = (era: number) =>
    committed[Math.floor((eraStarts[era] + (eraStarts[era + 1] ?? committed.length)) / 2)].at;
  const targets = [inEra(0), inEra(1), seconds.at(-2)!]; // the last: not the final second, so later rows stay out
  for (const [i, time] of targets.entries()) {
    const name = `ledger-at-${i}`;
    const { operationId } = await restoreTo(name, { time });
    const expected = committed.filter((r) => r.at <= time).map((r) => r.id);
    assert.deepEqual(await idsIn(name), expected, `${name}: exactly the rows committed at or before ${time}`);
    assert.ok(expected.length < committed.length, "a later row exists that must not be there");
    const steps = (await db().operation.findUniqueOrThrow({ where: { id: operationId } })).steps;
    if (i === 2) assert.match(steps, /replaying ledger-slave-2's archived binary logs/);
    await svc.deleteEnvironment(actor, name);
  }

  const phase1 = committed.slice(eraStarts[0], eraStarts[1]);
  const target = phase1[Math.floor(phase1.length / 2)];
  const gtid = `0-${(await svc.getEnvironment(actor, "ledger")).nodes[0].serverId}-${target.seq}`;
  await restoreTo("ledger-at-gtid", { gtid });
  assert.deepEqual(
    await idsIn("ledger-at-gtid"),
    committed.filter((r) => r.seq <= target.seq).map((r) => r.id),
  );
  await svc.deleteEnvironment(actor, "ledger-at-gtid");
  assert.ok(base.gtidPosition);
});

test("a target outside the window is refused with the reason, nothing created", async () => {
  const before = (await svc.listEnvironments(actor)).length;
  await assert.rejects(
    backups.beginPointInTimeRestore(actor, "ledger", { name: "too-early", time: "2020-01-01 00:00:00" }),
    /No backup was taken before that point/,
  );
  await assert.rejects(
    backups.beginPointInTimeRestore(actor, "ledger", { name: "too-late", time: "2099-01-01 00:00:00" }),
    /Nothing is archived after/,
  );
  await assert.rejects(
    backups.beginPointInTimeRestore(actor, "ledger", { name: "both", time: "2026-12-04 08:00:00", gtid: "0-1-1" }),
    /either a time or a GTID/,
  );
  assert.equal((await svc.listEnvironments(actor)).length, before);
});

test("retention prunes archived binary logs together with the backups they extend", async () => {
  await svc.createEnvironment(actor, { name: "journal" });
  await rep.enableBinlog(actor, "journal");
  await q("journal", "CREATE DATABASE j");
  await q("journal", "CREATE TABLE j.t (id INT AUTO_INCREMENT PRIMARY KEY)");
  await backups.setBinlogArchive(actor, "journal", { enabled: true });
  await backups.setBackupPolicy(actor, "journal", { keepLast: 1 });
  const archive = await db().binlogArchive.findUniqueOrThrow({
    where: { environmentId: (await svc.getEnvironment(actor, "journal")).id },
  });
  const rotate = async () => {
    await q("journal", "INSERT INTO j.t () VALUES ()");
    await q("journal", "FLUSH BINARY LOGS");
  };
  await rotate();
  const first = await (await backups.beginBackup(actor, "journal")).done;
  await rotate();
  await rotate();
  const archived = () =>
    db().archivedBinlog.findMany({ where: { archiveId: archive.id }, orderBy: { fileName: "asc" } });
  const all = await until(archived, (f) => f.length >= 4);
  assert.ok(all.length >= 4, `files archived: ${all.map((f) => f.fileName).join(", ")}`);
  const second = await (await backups.beginBackup(actor, "journal")).done;
  assert.equal((await backups.listBackups(actor, "journal")).length, 1, "retention kept the last backup only");
  assert.ok(!(await backups.listBackups(actor, "journal")).some((b) => b.id === first.id));
  const left = await archived();
  const gone = all.filter((f) => !left.some((l) => l.id === f.id));
  assert.ok(gone.length >= 2, `files before the remaining backup pruned: ${gone.map((f) => f.fileName).join(", ")}`);
  for (const f of gone) assert.equal(fs.existsSync(f.path), false);
  assert.ok(left.length >= 1, "the file still being written stays");
  const view = await backups.pointInTimeView(actor, "journal");
  const kept = await db().backup.findUniqueOrThrow({ where: { id: second.id } });
  assert.equal(view!.from!.getTime(), kept.finishedAt!.getTime(), "the window now starts at the remaining backup");
});
