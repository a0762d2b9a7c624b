import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor, until } from "../support/harness";

const dataDir = useTempDataDir("repl");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const rep = await import("../../lib/environments/replication");
const sql = await import("../../lib/environments/sql");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { setServerOptions } = await import("../../lib/mycnf/parse");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
// Hostile on purpose: quotes, backticks and semicolons must work as values, never as SQL.
const REPL_USER = "re'pl`;x";
const REPL_PASSWORD = "p'a\"s`s;w -- ";

before(async () => {
  actor = await adminActor();
  // One after the other, so masterbase gets server-id 1 and slavebase 2 (the article's numbers).
  for (const name of ["masterbase", "slavebase"]) await svc.createEnvironment(actor, { name });
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function editConfig(name: string, values: Record<string, string | null>) {
  const { content } = await cfg.getConfig(actor, name);
  return cfg.saveConfig(actor, name, { content: setServerOptions(content, values) });
}

const threads = async (name: string) => {
  const s = await rep.replicationStatus(actor, name);
  return `${s.slave?.Slave_IO_Running}/${s.slave?.Slave_SQL_Running}`;
};

test("the article end to end: master settings, replication user, slave settings, configure master, Full start, database on slave", async () => {
  const m = await editConfig("masterbase", { "server-id": "1", "log-bin": "mysql-bin", "binlog-format": "mixed" });
  assert.equal(m.restarted, true);
  const ms = await rep.replicationStatus(actor, "masterbase");
  assert.equal(ms.master.logBin, true);
  assert.equal(ms.master.serverId, 1);
  assert.equal(ms.master.binlogFormat, "MIXED");
  assert.match(ms.master.file ?? "", /^mysql-bin\.\d+$/);

  await rep.addReplicationUser(actor, "masterbase", { user: REPL_USER, password: REPL_PASSWORD });
  await assert.rejects(
    rep.addReplicationUser(actor, "masterbase", { user: REPL_USER, password: "x" }),
    (e: { status: number; code: string }) => e.status === 409 && e.code === "user_exists",
  );
  const users = (await rep.replicationStatus(actor, "masterbase")).replicationUsers;
  assert.deepEqual(users, [{ user: REPL_USER, host: "%", ssl: "" }]);

  // The article's classic mistake is refused: the slave may not reuse the master's server-id.
  await assert.rejects(
    editConfig("slavebase", { "server-id": "1" }),
    (e: { status: number; message: string }) => e.status === 422 && /duplicate server-id/.test(e.message),
  );
  await editConfig("slavebase", { "server-id": "2" });

  assert.equal((await rep.replicationStatus(actor, "slavebase")).health.state, "not-configured");
  await rep.configureMaster(actor, "slavebase", {
    masterEnvironment: "masterbase",
    user: REPL_USER,
    password: REPL_PASSWORD,
  });
  await rep.controlSlave(actor, "slavebase", { action: "full-start" });
  assert.equal(
    await until(
      () => threads("slavebase"),
      (t) => t === "Yes/Yes",
    ),
    "Yes/Yes",
  );
  const st = await rep.replicationStatus(actor, "slavebase");
  assert.equal(st.health.state, "running");
  assert.ok(Object.keys(st.slave!).length >= 54, `all columns: ${Object.keys(st.slave!).length}`);
  assert.equal(st.slave!.Using_Gtid, "Slave_Pos");

  const r = await sql.runSql(actor, "masterbase", { statement: "CREATE DATABASE Jelastic" });
  assert.equal(r.kind, "ok");
  const dbs = await until(
    () => sql.databases(actor, "slavebase"),
    (d) => d.includes("Jelastic"),
    5000,
  );
  assert.ok(dbs.includes("Jelastic"));

  const check = await rep.checkReplication(actor, "masterbase");
  assert.equal(check.slaves.length, 1);
  assert.equal(check.slaves[0].environment, "slavebase");
  assert.equal(check.slaves[0].arrived, true);
  assert.equal(check.slaves[0].databaseVisible, true);
  console.log(`canary master→slave: ${check.slaves[0].ms} ms`);
});

test("every Control slave action moves the threads as expected; skip-errors skips exactly N", async () => {
  const cases: [string, string][] = [
    ["stop-io", "No/Yes"],
    ["start-io", "Yes/Yes"],
    ["stop-sql", "Yes/No"],
    ["start-sql", "Yes/Yes"],
    ["full-stop", "No/No"],
    ["full-start", "Yes/Yes"],
  ];
  for (const [action, expected] of cases) {
    await rep.controlSlave(actor, "slavebase", { action });
    assert.equal(
      await until(
        () => threads("slavebase"),
        (t) => t === expected,
        5000,
      ),
      expected,
      action,
    );
  }

  await sql.runSql(actor, "masterbase", { statement: "CREATE TABLE Jelastic.t (id INT PRIMARY KEY)" });
  await until(
    () => sql.runSql(actor, "slavebase", { statement: "SELECT 1 FROM Jelastic.t" }),
    (x) => x.kind === "rows",
  );
  // Rows that exist only on the slave: the master's inserts of ids 1 and 2 will conflict there.
  await sql.runSql(actor, "slavebase", { statement: "INSERT INTO Jelastic.t VALUES (1), (2)" });
  for (const id of [1, 2, 3])
    await sql.runSql(actor, "masterbase", { statement: `INSERT INTO Jelastic.t VALUES (${id})` });
  const broken = await until(
    () => rep.replicationStatus(actor, "slavebase"),
    (s) => s.health.state === "error",
  );
  assert.equal(broken.slave!.Last_SQL_Errno, 1062);
  assert.match(broken.health.hint!, /Skip 1 error/);

  await rep.controlSlave(actor, "slavebase", { action: "skip-errors", count: 1 });
  const second = await until(
    () => rep.replicationStatus(actor, "slavebase"),
    (s) => s.health.state === "error" && String(s.slave!.Last_SQL_Error).includes("'2'"),
  );
  assert.match(String(second.slave!.Last_SQL_Error), /Duplicate entry '2'/, "skipping 1 skipped exactly one event");
  await rep.controlSlave(actor, "slavebase", { action: "skip-errors", count: 1 });
  const rows = await until(
    () => sql.runSql(actor, "slavebase", { statement: "SELECT id FROM Jelastic.t ORDER BY id" }),
    (x) => x.kind === "rows" && x.rows.length === 3,
  );
  assert.deepEqual(rows.kind === "rows" && rows.rows, [[1], [2], [3]]);
  assert.equal(await threads("slavebase"), "Yes/Yes");
});

test("failures explained: wrong password (1045), master stopped (2003) then recovery", async () => {
  await rep.configureMaster(actor, "slavebase", {
    masterEnvironment: "masterbase",
    user: REPL_USER,
    password: "wrong",
  });
  await rep.controlSlave(actor, "slavebase", { action: "full-start" });
  const denied = await until(
    () => rep.replicationStatus(actor, "slavebase"),
    (s) => Number(s.slave?.Last_IO_Errno) === 1045,
  );
  assert.equal(denied.health.state, "error");
  assert.match(denied.health.message, /1045/);

  await rep.configureMaster(actor, "slavebase", {
    masterEnvironment: "masterbase",
    user: REPL_USER,
    password: REPL_PASSWORD,
  });
  await rep.controlSlave(actor, "slavebase", { action: "full-start" });
  assert.equal(
    await until(
      () => threads("slavebase"),
      (t) => t === "Yes/Yes",
    ),
    "Yes/Yes",
  );

  await svc.environmentAction(actor, "masterbase", { action: "stop" });
  const unreachable = await until(
    () => rep.replicationStatus(actor, "slavebase"),
    (s) => Number(s.slave?.Last_IO_Errno) === 2003,
  );
  assert.equal(unreachable.health.state, "connecting");
  assert.match(unreachable.health.hint!, /Start the master/);
  await svc.environmentAction(actor, "masterbase", { action: "start" });
  const back = await until(
    () => rep.replicationStatus(actor, "slavebase"),
    (s) => s.health.state === "running",
  );
  assert.equal(back.health.state, "running");
});

test("binlog file/position mode", async () => {
  await svc.createEnvironment(actor, { name: "posslave" });
  const master = (await rep.replicationStatus(actor, "masterbase")).master;
  await sql.runSql(actor, "masterbase", { statement: "CREATE DATABASE after_pos" });
  await rep.configureMaster(actor, "posslave", {
    masterEnvironment: "masterbase",
    user: REPL_USER,
    password: REPL_PASSWORD,
    mode: "binlog",
    logFile: master.file!,
    logPos: master.position!,
  });
  await rep.controlSlave(actor, "posslave", { action: "full-start" });
  const dbs = await until(
    () => sql.databases(actor, "posslave"),
    (d) => d.includes("after_pos"),
  );
  assert.ok(dbs.includes("after_pos"));
  assert.ok(!dbs.includes("Jelastic"), "events before the position are not replayed");
  assert.equal((await rep.replicationStatus(actor, "posslave")).slave!.Using_Gtid, "No");
  await svc.deleteEnvironment(actor, "posslave");
});

test("my.cnf: an unknown option is rejected before restart; a config that cannot start is rolled back", async () => {
  const env = await svc.getEnvironment(actor, "slavebase");
  const pid = env.nodes[0].pid;
  const before = await cfg.getConfig(actor, "slavebase");
  await assert.rejects(
    cfg.saveConfig(actor, "slavebase", { content: `${before.content}\nfoo-bar = 1\n` }),
    (e: { status: number; details: { problems: { line: number; message: string }[] } }) => {
      assert.equal(e.status, 422);
      assert.match(e.details.problems[0].message, /unknown variable 'foo-bar=1'/);
      assert.equal(e.details.problems[0].line, before.content.split("\n").length + 1);
      return true;
    },
  );
  assert.equal((await svc.getEnvironment(actor, "slavebase")).nodes[0].pid, pid, "not restarted");
  assert.equal((await cfg.getConfig(actor, "slavebase")).content, before.content);

  await assert.rejects(
    cfg.saveConfig(actor, "slavebase", {
      content: setServerOptions(before.content, { innodb_data_home_dir: "nonexistent-mariner" }),
    }),
    (e: { status: number; message: string; lines: string[] }) => {
      assert.equal(e.status, 422);
      assert.match(e.message, /previous configuration was restored/);
      assert.ok(
        e.lines.some((l) => /ERROR/.test(l)),
        e.lines.join("\n"),
      );
      return true;
    },
  );
  assert.equal((await cfg.getConfig(actor, "slavebase")).content, before.content);
  assert.equal((await svc.getEnvironment(actor, "slavebase")).status, "running");
  assert.equal(await threads("slavebase"), "Yes/Yes");

  const revs = await cfg.listRevisions(actor, "slavebase");
  assert.deepEqual(
    revs.slice(0, 2).map((r) => r.result),
    ["rolled-back", "rejected"],
  );
  const generated = revs.find((r) => r.result === "applied" && r.author === "mariner");
  assert.ok(generated);

  // "Restore this revision": the generated my.cnf comes back through the same validated path.
  const restored = await cfg.restoreRevision(actor, "slavebase", generated.id);
  assert.equal(restored.restarted, true);
  assert.equal((await cfg.getConfig(actor, "slavebase")).content, generated.content);
  const latest = (await cfg.listRevisions(actor, "slavebase"))[0];
  assert.equal(latest.result, "applied");
  assert.match(latest.message ?? "", /Restored the revision of/);
  assert.equal(
    await until(
      () => threads("slavebase"),
      (t) => t === "Yes/Yes",
    ),
    "Yes/Yes",
  );
});

test("hostile replication input is refused cleanly and executes nothing", async () => {
  const bad: [() => Promise<unknown>, RegExp][] = [
    [() => rep.addReplicationUser(actor, "masterbase", { user: "a\0b", password: "x" }), /NUL/],
    [
      () => rep.addReplicationUser(actor, "masterbase", { user: "ok", password: "x", host: "%'; DROP USER root; --" }),
      /Host pattern/,
    ],
    [
      () =>
        rep.configureMaster(actor, "slavebase", {
          host: "127.0.0.2'; STOP SLAVE; --",
          port: 3306,
          user: "x",
          password: "y",
        }),
      /Master host/,
    ],
    [
      () => rep.configureMaster(actor, "slavebase", { masterEnvironment: "slavebase", user: "x", password: "y" }),
      /its own master/,
    ],
    [() => rep.controlSlave(actor, "slavebase", { action: "DROP" }), /action must be one of/],
    [
      () => sql.runSql(actor, "slavebase", { statement: "SELECT 1", database: "x`; DROP DATABASE Jelastic; --" }),
      /does not exist/,
    ],
  ];
  for (const [call, message] of bad)
    await assert.rejects(
      call(),
      (e: { status: number; message: string }) => e.status === 400 && message.test(e.message),
    );
  const multi = await sql.runSql(actor, "masterbase", { statement: "SELECT 1; DROP DATABASE Jelastic" });
  assert.equal(multi.kind, "error", "one statement at a time");
  assert.ok((await sql.databases(actor, "masterbase")).includes("Jelastic"));
  assert.equal((await rep.replicationStatus(actor, "masterbase")).replicationUsers.length, 1);
});
