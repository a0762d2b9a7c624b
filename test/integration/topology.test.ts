import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import path from "node:path";
import { withDamagedDump } from "../support/dump-fault";
import { adminActor, until } from "../support/harness";

const dataDir = useTempDataDir("topology");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const rep = await import("../../lib/environments/replication");
const topo = await import("../../lib/topology");
const { discoverTopology } = await import("../../lib/topology/discover");
const doctor = await import("../../lib/topology/doctor");
const { db } = await import("../../lib/db/client");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { startMonitor, stopMonitor } = await import("../../lib/monitoring/watch");
const { setServerOptions } = await import("../../lib/mycnf/parse");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function conn(name: string) {
  const c = await svc.connectionDetails(actor, name);
  return mysql.createConnection({ host: c.host, port: c.port, user: "root", password: c.password });
}
async function q<T = Record<string, unknown>>(name: string, sql: string, values?: unknown[]): Promise<T[]> {
  const c = await conn(name);
  try {
    const [rows] = await c.query(sql, values);
    return rows as T[];
  } finally {
    await c.end();
  }
}
const count = async (name: string, table: string) =>
  Number((await q<{ n: number }>(name, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);
const sameCount = (name: string, table: string, n: number) =>
  until(
    () => count(name, table),
    (v) => v === n,
  );

before(async () => {
  process.env.MARINER_RESTART_POLICY = "never";
  actor = await adminActor();
  await svc.createEnvironment(actor, { name: "prime" });
  await rep.enableBinlog(actor, "prime");
  const c = await conn("prime");
  await c.query("CREATE DATABASE sales");
  await c.query("CREATE DATABASE hr");
  await c.query("CREATE TABLE sales.orders (id INT AUTO_INCREMENT PRIMARY KEY, amount INT, note VARCHAR(100))");
  await c.query("CREATE TABLE hr.people (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))");
  for (let i = 0; i < 20; i++) {
    await c.query("INSERT INTO sales.orders (amount, note) SELECT seq, REPEAT('x', 80) FROM sales.seq_1_to_500");
  }
  await c.query("INSERT INTO hr.people (name) SELECT CONCAT('p', seq) FROM hr.seq_1_to_100");
  await c.query("CREATE USER app@'%' IDENTIFIED BY 'app-password'");
  await c.query("GRANT SELECT ON sales.* TO app@'%'");
  await c.end();
});

after(async () => {
  stopMonitor();
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("Add slave: two slaves seeded with the master's data, replicating from its position", async () => {
  const { operationId, done } = await topo.beginAddSlaves(actor, "prime", { count: 2 });
  const t0 = Date.now();
  const result = await done;
  console.log(`2 seeded slaves added in ${Date.now() - t0} ms`);
  assert.deepEqual(result.slaves, ["prime-slave-1", "prime-slave-2"]);
  const op = await db().operation.findUniqueOrThrow({ where: { id: operationId } });
  assert.ok(JSON.parse(op.steps).some((s: { name: string }) => /physical copy \(mariadb-backup\)/.test(s.name)));
  for (const s of result.slaves) {
    assert.equal(await count(s, "sales.orders"), 10_000);
    assert.equal(await count(s, "hr.people"), 100);
    const [ro] = await q<{ ro: number }>(s, "SELECT @@read_only AS ro");
    assert.equal(Number(ro.ro), 1);
  }
  // Application accounts come along (each slave keeps its own root), so account changes replicate cleanly.
  for (const s of result.slaves)
    assert.equal((await q(s, "SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'app'"))[0].n, 1);
  await q("prime", "ALTER USER app@'%' IDENTIFIED BY 'changed-password'");
  await q("prime", "INSERT INTO sales.orders (amount) VALUES (1)");
  for (const s of result.slaves) assert.equal(await sameCount(s, "sales.orders", 10_001), 10_001);
  const t = await discoverTopology(actor);
  assert.deepEqual(t.edges.map((e) => `${e.from}->${e.to}:${e.health.state}`).sort(), [
    "prime->prime-slave-1:running",
    "prime->prime-slave-2:running",
  ]);
});

test("Add slave whose snapshot stream is cut short: refused with the reason, nothing half-made, nothing on disk", async () => {
  const before = (await svc.listEnvironments(actor)).length;
  // The first INSERT of sales.orders (a statement over several lines) and the end marker dropped on the way: the
  // dump still exits 0 and the SQL stays valid, only rows are missing.
  const cut = withDamagedDump(
    "/^INSERT INTO `orders`/,/;$/d\n/-- Dump completed/d",
    async () => (await topo.beginAddSlaves(actor, "prime", { count: 1, namePrefix: "cut", method: "logical" })).done,
  );
  await assert.rejects(cut, (e: Error & { lines?: string[] }) => {
    assert.match(e.message, /Copying prime into the new slaves failed/);
    assert.match(e.lines?.join() ?? "", /ended before mariadb-dump's end marker/);
    return true;
  });
  assert.equal((await svc.listEnvironments(actor)).length, before, "the new slave was removed again");
  const tmp = path.join(dataDir, "tmp");
  assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], "no snapshot file on the console's disk");
});

test("chained replication: a slave becomes a master; moves keep the position; illegal moves are refused", async () => {
  await assert.rejects(topo.moveSlave(actor, "prime-slave-2", { newMaster: "prime-slave-2" }), /from itself/);
  await svc.createEnvironment(actor, { name: "loner" });
  await assert.rejects(
    topo.moveSlave(actor, "prime-slave-2", { newMaster: "loner" }),
    /Binary logging is off on loner/,
  );
  await svc.deleteEnvironment(actor, "loner");

  await topo.makeMaster(actor, "prime-slave-1");
  await topo.moveSlave(actor, "prime-slave-2", { newMaster: "prime-slave-1" });
  await assert.rejects(topo.moveSlave(actor, "prime-slave-1", { newMaster: "prime-slave-2" }), /cycle/);
  for (let i = 0; i < 50; i++) await q("prime", "INSERT INTO sales.orders (amount) VALUES (?)", [i]);
  assert.equal(
    await sameCount("prime-slave-2", "sales.orders", 10_051),
    10_051,
    "writes arrive at the end of the chain",
  );
  const t = await discoverTopology(actor);
  assert.equal(t.edges.find((e) => e.to === "prime-slave-2")!.from, "prime-slave-1");

  // Back under the master while writes continue: nothing lost, nothing applied twice.
  const writer = (async () => {
    for (let i = 0; i < 100; i++) await q("prime", "INSERT INTO sales.orders (amount) VALUES (?)", [i]);
  })();
  await topo.moveSlave(actor, "prime-slave-2", { newMaster: "prime" });
  await writer;
  assert.equal(await sameCount("prime-slave-2", "sales.orders", 10_151), 10_151);
  const [m] = await q<{ s: number }>("prime", "SELECT SUM(amount) AS s FROM sales.orders");
  const [s] = await q<{ s: number }>("prime-slave-2", "SELECT SUM(amount) AS s FROM sales.orders");
  assert.equal(Number(s.s), Number(m.s));
});

test("clone: standalone copy with the same config; clone as slave with filters replicates only the chosen database", async () => {
  await (
    await topo.beginClone(actor, "prime", { name: "copy" })
  ).done;
  assert.equal(await count("copy", "sales.orders"), await count("prime", "sales.orders"));
  assert.equal((await rep.replicationStatus(actor, "copy")).slave, null, "a standalone clone is not a slave");
  assert.match((await cfg.getConfig(actor, "copy")).content, /log-bin = mysql-bin/);

  await (
    await topo.beginClone(actor, "prime", { name: "salesonly", asSlave: true })
  ).done;
  await topo.setFilters(actor, "salesonly", { doDb: ["sales"] });
  await assert.rejects(topo.setFilters(actor, "salesonly", { doDb: ["x`; DROP"] }), /Database names/);
  const hrBefore = await count("salesonly", "hr.people");
  await q("prime", "INSERT INTO hr.people (name) VALUES ('new')");
  await q("prime", "INSERT INTO sales.orders (amount) VALUES (7)");
  const n = await count("prime", "sales.orders");
  assert.equal(await sameCount("salesonly", "sales.orders", n), n);
  // The hr row was written before the sales row and one SQL thread applies in order: with the sales row there,
  // the hr event has been dealt with — filtered, not merely late.
  assert.equal(await count("salesonly", "hr.people"), hrBefore, "hr is filtered out");
  const edge = (await discoverTopology(actor)).edges.find((e) => e.to === "salesonly")!;
  assert.deepEqual(edge.filters, { Replicate_Wild_Do_Table: "sales.%" });
  const pf = await topo.preflight(actor, "prime");
  assert.match(pf.candidates.find((c) => c.name === "salesonly")!.reasons.join(), /filters/);
  for (const name of ["copy", "salesonly"]) await svc.deleteEnvironment(actor, name);
});

test("pre-flight refuses a candidate with errant transactions (writes made directly on a slave)", async () => {
  await svc.createEnvironment(actor, { name: "dirty" });
  await (
    await topo.beginClone(actor, "prime", { name: "dirty2", asSlave: true })
  ).done;
  await q("dirty2", "SET GLOBAL read_only = 0");
  await q("dirty2", "CREATE DATABASE written_on_slave");
  const report = await topo.preflight(actor, "prime", "dirty2");
  const c = report.candidates.find((x) => x.name === "dirty2")!;
  const ownId = (await svc.getEnvironment(actor, "dirty2")).nodes[0].serverId;
  assert.match(c.errant ?? "", new RegExp(`^0-${ownId}-\\d+$`), "its own server-id in its binlog");
  assert.match(report.blocked ?? "", /errant transactions/);
  for (const n of ["dirty", "dirty2"]) await svc.deleteEnvironment(actor, n);
});

test("switchover with writes before and after: no loss, old master under the new one", async () => {
  const report = await topo.preflight(actor, "prime", "prime-slave-1");
  assert.equal(report.blocked, null);
  assert.equal(report.lost, 0);
  const before = await count("prime", "sales.orders");
  const result = await (await topo.beginSwitchover(actor, "prime", { candidate: "prime-slave-1" })).done;
  console.log(`switchover read-only window ${result.readOnlyMs} ms`);
  assert.equal(result.newMaster, "prime-slave-1");
  await q("prime-slave-1", "INSERT INTO sales.orders (amount) VALUES (42)");
  for (const s of ["prime", "prime-slave-2"])
    assert.equal(await sameCount(s, "sales.orders", before + 1), before + 1, s);
  const t = await discoverTopology(actor);
  assert.deepEqual(t.edges.map((e) => `${e.from}->${e.to}`).sort(), [
    "prime-slave-1->prime",
    "prime-slave-1->prime-slave-2",
  ]);
  const [ro] = await q<{ ro: number }>("prime-slave-1", "SELECT @@read_only AS ro");
  assert.equal(Number(ro.ro), 0);
  assert.doesNotMatch((await cfg.getConfig(actor, "prime-slave-1")).content, /read-only = ON/);
});

test("failover after SIGKILL: the caught-up slave is promoted over a lagging one, no caught-up row lost", async () => {
  // prime-slave-1 is the master now; "prime" lags on purpose (it stops receiving).
  await q("prime", "STOP SLAVE IO_THREAD");
  for (let i = 0; i < 30; i++) await q("prime-slave-1", "INSERT INTO sales.orders (amount) VALUES (?)", [i]);
  const expected = await count("prime-slave-1", "sales.orders");
  assert.equal(await sameCount("prime-slave-2", "sales.orders", expected), expected);
  const dead = await svc.getEnvironment(actor, "prime-slave-1");
  process.kill(dead.nodes[0].pid!, "SIGKILL");
  await sleep(200);
  const t0 = Date.now();
  const result = await (await topo.beginFailover(actor, "prime-slave-1", {})).done;
  console.log(
    `failover promotion ${Date.now() - t0} ms (in-op ${result.promotionMs} ms), lost ${result.lostTransactions}`,
  );
  assert.equal(result.newMaster, "prime-slave-2", "the caught-up slave, not the lagging one");
  assert.equal(result.lostTransactions, 0);
  assert.equal(await count("prime-slave-2", "sales.orders"), expected);
  await q("prime-slave-2", "INSERT INTO sales.orders (amount) VALUES (1)");
  assert.equal(
    await sameCount("prime", "sales.orders", expected + 1),
    expected + 1,
    "the lagging slave caught up from the new master",
  );
  const old = await db().environment.findUniqueOrThrow({ where: { id: dead.id } });
  assert.equal(old.desiredState, "stopped", "the old master is kept down");
  await assert.rejects((await topo.beginFailover(actor, "prime-slave-2", {})).done, /alive: use switchover/);
  await svc.deleteEnvironment(actor, "prime-slave-1");
});

test("doctor detects each seeded problem and fixes it", async () => {
  // prime-slave-2 is the master, prime its slave.
  await q("prime-slave-2", "CREATE USER ''@'localhost'");
  const { content } = await cfg.getConfig(actor, "prime");
  await cfg.saveConfig(actor, "prime", { content: setServerOptions(content, { "slave-skip-errors": "all" }) });
  const c2 = await cfg.getConfig(actor, "prime-slave-2");
  await cfg.saveConfig(actor, "prime-slave-2", {
    content: setServerOptions(c2.content, { "binlog-format": "statement" }),
  });
  await rep.configureMaster(actor, "prime", {
    masterEnvironment: "prime-slave-2",
    user: "mariner_repl",
    password: "wrong",
  });
  await rep.controlSlave(actor, "prime", { action: "full-start" });
  await until(
    () => rep.replicationStatus(actor, "prime"),
    (s) => Number(s.slave?.Last_IO_Errno) === 1045,
  );
  await q("prime", "SET GLOBAL read_only = 0");
  const sid = (await svc.getEnvironment(actor, "prime-slave-2")).nodes[0].serverId;
  await q("prime", "SET GLOBAL server_id = ?", [sid]);

  let findings = await doctor.diagnose(actor);
  const kinds = findings.map((f) => f.id.split(":")[0]).sort();
  for (const k of [
    "anonymous-users",
    "not-read-only",
    "skip-errors",
    "statement-format",
    "repl-login",
    "duplicate-server-id",
  ])
    assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  for (const f of findings.filter((x) => x.fix)) findings = await doctor.applyFix(actor, f.id);
  findings = await until(
    () => doctor.diagnose(actor),
    (fs) => fs.filter((f) => f.fix).length === 0,
    15_000,
  );
  assert.deepEqual(
    findings.filter((f) => f.fix).map((f) => f.id),
    [],
  );
  assert.equal(
    (
      await until(
        () => rep.replicationStatus(actor, "prime"),
        (s) => s.health.state === "running",
      )
    ).health.state,
    "running",
  );

  // A SQL thread stopped without an error: found, and restarted in one click.
  await q("prime", "STOP SLAVE SQL_THREAD");
  const stopped = await doctor.diagnose(actor);
  assert.ok(stopped.some((f) => f.id === "sql-stopped:prime"));
  await doctor.applyFix(actor, "sql-stopped:prime");
  assert.equal(
    (
      await until(
        () => rep.replicationStatus(actor, "prime"),
        (s) => s.health.state === "running",
      )
    ).health.state,
    "running",
  );
});

test("a slave whose master purged the binlogs it needs (1236) is detected and re-seeded; rows match", async () => {
  // prime replicates from prime-slave-2 (the master now).
  await q("prime", "STOP SLAVE");
  for (let i = 0; i < 20; i++) await q("prime-slave-2", "INSERT INTO sales.orders (amount) VALUES (?)", [i]);
  await q("prime-slave-2", "FLUSH BINARY LOGS");
  const [{ File: current }] = await q<{ File: string }>("prime-slave-2", "SHOW MASTER STATUS");
  // A binlog still held by a finishing dump thread is skipped by PURGE: retry until only the current one is left.
  const left = await until(
    async () => {
      await q("prime-slave-2", "PURGE BINARY LOGS TO ?", [current]);
      return (await q("prime-slave-2", "SHOW BINARY LOGS")).length;
    },
    (n) => n === 1,
    10_000,
  );
  assert.equal(left, 1, "only the current binlog is left");
  await q("prime", "START SLAVE");
  const broken = await until(
    () => rep.replicationStatus(actor, "prime"),
    (s) => Number(s.slave?.Last_IO_Errno) === 1236,
  );
  assert.equal(Number(broken.slave!.Last_IO_Errno), 1236);
  const finding = (await doctor.diagnose(actor)).find((f) => f.id === "purged-binlogs:prime");
  assert.ok(finding, "the doctor sees it");
  assert.equal(finding!.fix, "Re-seed from a consistent snapshot");
  await doctor.applyFix(actor, "purged-binlogs:prime");
  await q("prime-slave-2", "INSERT INTO sales.orders (amount) VALUES (99)");
  const n = await count("prime-slave-2", "sales.orders");
  assert.equal(await sameCount("prime", "sales.orders", n), n, "rows match after the re-seed");
  assert.equal((await rep.replicationStatus(actor, "prime")).health.state, "running");
});

test("automatic failover: a dead master with the policy on is replaced within seconds", async () => {
  await (
    await topo.beginAddSlaves(actor, "prime-slave-2", { count: 1, namePrefix: "auto" })
  ).done;
  await topo.setFailoverPolicy(actor, "prime-slave-2", { autoFailover: true });
  // A switchover/failover ran minutes ago: automatic failover refuses to flap…
  assert.match(
    (await topo.preflight(actor, "prime-slave-2", undefined, { automatic: true })).blocked ?? "",
    /anti-flapping/,
  );
  process.env.MARINER_ANTI_FLAP_SECONDS = "0"; // …until its window has passed.
  startMonitor(250);
  try {
    const master = await svc.getEnvironment(actor, "prime-slave-2");
    const t0 = Date.now();
    process.kill(master.nodes[0].pid!, "SIGKILL");
    const op = await until(
      () =>
        db().operation.findFirst({
          where: { action: "topology.failover", target: "prime-slave-2", status: "succeeded" },
        }),
      (o) => !!o,
      30_000,
    );
    assert.ok(op, "failover ran");
    console.log(
      `automatic failover: SIGKILL → new master in ${op!.finishedAt!.getTime() - t0} ms (default confirmation)`,
    );
    const t = await discoverTopology(actor);
    const masters = new Set(t.edges.map((e) => e.from));
    assert.equal(masters.size, 1);
    assert.ok(!masters.has("prime-slave-2"));
  } finally {
    stopMonitor();
  }
});
