import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor, until } from "../support/harness";
import { connectionId } from "../support/sessions";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("multisource");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const rep = await import("../../lib/environments/replication");
const { asRoot } = await import("../../lib/environments/root");
const { discoverTopology } = await import("../../lib/topology/discover");
const doctor = await import("../../lib/topology/doctor");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { setServerOptions } = await import("../../lib/mycnf/parse");
const { ServiceError } = await import("../../lib/errors");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;

before(async () => {
  actor = await adminActor();
  for (const name of ["east", "west", "hub"]) await svc.createEnvironment(actor, { name });
  for (const name of ["east", "west"]) {
    const { content } = await cfg.getConfig(actor, name);
    await cfg.saveConfig(actor, name, {
      content: setServerOptions(content, { "log-bin": "mysql-bin", "binlog-format": "mixed" }),
    });
    await rep.addReplicationUser(actor, name, { user: "repl", password: "repl-pass" });
  }
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const env = (name: string) => svc.getEnvironment(actor, name);
const exec = async (name: string, sql: string, values?: unknown[]) =>
  asRoot(await env(name), (c) => c.query(sql, values));
const count = async (name: string, table: string) =>
  asRoot(await env(name), async (c) => {
    const [r] = await c.query(`SELECT COUNT(*) AS n FROM ${table}`).catch(() => [[{ n: -1 }]]);
    return Number((r as { n: number }[])[0].n);
  });
const threads = async () =>
  Object.fromEntries(
    (await rep.replicationStatus(actor, "hub")).connections.map((c) => [
      c.name,
      `${c.status.Slave_IO_Running}/${c.status.Slave_SQL_Running}`,
    ]),
  );

test("two masters → one slave through named connections: writes from both arrive, each connection controlled on its own", async () => {
  await rep.configureMaster(actor, "hub", {
    connection: "east",
    masterEnvironment: "east",
    user: "repl",
    password: "repl-pass",
  });
  await rep.controlSlave(actor, "hub", { connection: "east", action: "full-start" });
  await until(threads, (t) => t.east === "Yes/Yes");
  await exec("east", "CREATE DATABASE sales");
  await exec("east", "CREATE TABLE sales.orders (id INT PRIMARY KEY)");

  // Both masters write GTID domain 0: a second source on it would overwrite the first one's position.
  await assert.rejects(
    rep.configureMaster(actor, "hub", {
      connection: "west",
      masterEnvironment: "west",
      user: "repl",
      password: "repl-pass",
    }),
    (e: unknown) => e instanceof ServiceError && e.code === "gtid_domain_clash" && /domain 0/.test(e.message),
  );
  assert.deepEqual(Object.keys(await threads()), ["east"], "the refused source changed nothing");

  // A session open on west (an application logged in as root, say) would keep writing domain 0 after the
  // change: refused while it lasts, and nothing changes.
  const westLogin = await svc.connectionDetails(actor, "west");
  const mysql = (await import("mysql2/promise")).default;
  const app = await mysql.createConnection({
    host: westLogin.host,
    port: westLogin.port,
    user: "root",
    password: westLogin.password,
  });
  const appSession = await connectionId(app);
  await assert.rejects(
    rep.configureMaster(actor, "hub", {
      connection: "west",
      masterEnvironment: "west",
      user: "repl",
      password: "repl-pass",
      ownGtidDomain: true,
    }),
    (e: unknown) => e instanceof ServiceError && e.code === "sessions_open" && /users: root/.test(e.message),
  );
  const [domainRows] = (await exec("west", "SELECT @@GLOBAL.gtid_domain_id AS d")) as unknown as [{ d: number }[]];
  assert.equal(Number(domainRows[0].d), 0, "west's GTID domain is unchanged");
  assert.deepEqual(Object.keys(await threads()), ["east"]);
  await app.end();
  // The server notices the client's quit on its own time: wait until the session has left west's processlist.
  await waitFor(
    async () => {
      const [rows] = (await exec("west", "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?", [
        appSession,
      ])) as unknown as [{ n: number }[]];
      return Number(rows[0].n) === 0;
    },
    { what: `session ${appSession} to leave west's processlist` },
  );
  const added = await rep.configureMaster(actor, "hub", {
    connection: "west",
    masterEnvironment: "west",
    user: "repl",
    password: "repl-pass",
    ownGtidDomain: true,
  });
  assert.ok(added.gtidDomain !== null && added.gtidDomain > 0, `west got a domain of its own: ${added.gtidDomain}`);
  // west's earlier events (its replication user) were in domain 0 too; it has no slaves and no databases, so
  // its binary log starts afresh in its new domain (an old domain-0 event would get the connection refused).
  assert.equal(added.mode, "gtid");
  assert.equal(added.freshBinlog, true);
  const [[{ p: westPos }]] = (await exec("west", "SELECT @@gtid_binlog_pos AS p")) as unknown as [{ p: string }[]];
  assert.equal(westPos, "", "west's binary log was started afresh");
  assert.match(
    (await cfg.getConfig(actor, "west")).content,
    new RegExp(`gtid-domain-id\\s*=\\s*${added.gtidDomain}`),
    "persisted in west's my.cnf",
  );
  await rep.controlSlave(actor, "hub", { connection: "west", action: "full-start" });
  assert.deepEqual(
    await until(threads, (t) => t.west === "Yes/Yes"),
    { east: "Yes/Yes", west: "Yes/Yes" },
    JSON.stringify(
      (await rep.replicationStatus(actor, "hub")).connections.map((c) => [
        c.name,
        c.health.lastIoError,
        c.status.Gtid_IO_Pos,
      ]),
    ),
  );

  await exec("east", "INSERT INTO sales.orders VALUES (1), (2), (3)");
  await exec("west", "CREATE DATABASE stock");
  await exec("west", "CREATE TABLE stock.items (id INT PRIMARY KEY)");
  await exec("west", "INSERT INTO stock.items VALUES (1), (2)");
  assert.equal(
    await until(
      () => count("hub", "sales.orders"),
      (n) => n === 3,
    ),
    3,
    "east's rows on hub",
  );
  assert.equal(
    await until(
      () => count("hub", "stock.items"),
      (n) => n === 2,
    ),
    2,
    "west's rows on hub",
  );

  // The topology shows two incoming edges, one per connection.
  const topology = await discoverTopology(actor);
  const into = topology.edges
    .filter((e) => e.to === "hub")
    .map((e) => `${e.from}:${e.connection}:${e.health.state}`)
    .sort();
  assert.deepEqual(into, ["east:east:running", "west:west:running"]);
  assert.deepEqual(topology.nodes.find((n) => n.name === "hub")!.masters.sort(), ["east", "west"]);

  // Stop SQL thread on west only: east keeps applying, west's rows wait.
  await rep.controlSlave(actor, "hub", { connection: "west", action: "stop-sql" });
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/No" });
  await exec("west", "INSERT INTO stock.items VALUES (3)");
  await exec("east", "INSERT INTO sales.orders VALUES (4)");
  assert.equal(
    await until(
      () => count("hub", "sales.orders"),
      (n) => n === 4,
    ),
    4,
  );
  // West's row has reached hub (its IO thread received that transaction) and still is not applied: it waits
  // because the SQL thread is stopped, not because it has not arrived yet.
  const [[{ p: westNow }]] = (await exec("west", "SELECT @@gtid_binlog_pos AS p")) as unknown as [{ p: string }[]];
  await waitFor(
    async () => {
      const west = (await rep.replicationStatus(actor, "hub")).connections.find((c) => c.name === "west");
      const received = String(west?.status.Gtid_IO_Pos ?? "").split(/,\s*/);
      return westNow.split(/,\s*/).every((g) => received.includes(g));
    },
    { what: `hub's connection west to receive ${westNow}` },
  );
  assert.equal(await count("hub", "stock.items"), 2, "west's new row waits while its SQL thread is stopped");
  // The doctor sees the named connection's stopped SQL thread and its fix starts only that one.
  const finding = (await doctor.diagnose(actor)).find((f) => f.id === "sql-stopped:hub:west");
  assert.ok(finding, "doctor finding for connection 'west'");
  assert.match(finding.title, /connection 'west'/);
  await doctor.applyFix(actor, "sql-stopped:hub:west");
  assert.equal(
    await until(
      () => count("hub", "stock.items"),
      (n) => n === 3,
    ),
    3,
  );
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/Yes" });

  // Each connection keeps its own position per domain: a restart resumes both without re-fetching or a 1236.
  await svc.environmentAction(actor, "hub", { action: "restart" });
  await until(threads, (t) => t.east === "Yes/Yes" && t.west === "Yes/Yes");
  await exec("east", "INSERT INTO sales.orders VALUES (5)");
  await exec("west", "INSERT INTO stock.items VALUES (4)");
  assert.equal(
    await until(
      () => count("hub", "sales.orders"),
      (n) => n === 5,
    ),
    5,
  );
  assert.equal(
    await until(
      () => count("hub", "stock.items"),
      (n) => n === 4,
    ),
    4,
  );
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/Yes" });

  // A row written on hub conflicts with west's next insert: west's SQL thread stops on 1062, east goes on.
  // Skip errors on connection 'west' skips exactly that event (the counter belongs to that connection).
  await exec("hub", "INSERT INTO stock.items VALUES (6)");
  await exec("west", "INSERT INTO stock.items VALUES (6)");
  await exec("west", "INSERT INTO stock.items VALUES (7)");
  await exec("east", "INSERT INTO sales.orders VALUES (6)");
  assert.deepEqual(await until(threads, (t) => t.west === "Yes/No"), { east: "Yes/Yes", west: "Yes/No" });
  const west = (await rep.replicationStatus(actor, "hub")).connections.find((c) => c.name === "west")!;
  assert.equal(Number(west.status.Last_SQL_Errno), 1062);
  assert.equal(
    await until(
      () => count("hub", "sales.orders"),
      (n) => n === 6,
    ),
    6,
    "east keeps applying",
  );
  await rep.controlSlave(actor, "hub", { connection: "west", action: "skip-errors", count: 1 });
  assert.deepEqual(
    await until(threads, (t) => t.west === "Yes/Yes"),
    { east: "Yes/Yes", west: "Yes/Yes" },
    JSON.stringify(
      (await rep.replicationStatus(actor, "hub")).connections.map((c) => [
        c.name,
        c.health.lastIoError,
        c.status.Gtid_IO_Pos,
      ]),
    ),
  );
  assert.equal(
    await until(
      () => count("hub", "stock.items"),
      (n) => n === 6,
    ),
    6,
    "1-4, hub's 6, then west's 7",
  );
});

test("named connections refuse bad input and remove cleanly", async () => {
  for (const connection of ["a'b", "x`; DROP DATABASE sales; --", "n".repeat(65)]) {
    await assert.rejects(
      rep.configureMaster(actor, "hub", { connection, masterEnvironment: "east", user: "repl", password: "repl-pass" }),
      (e: unknown) => e instanceof ServiceError && e.status === 400,
      connection,
    );
  }
  await assert.rejects(
    rep.configureMaster(actor, "hub", {
      connection: "again",
      masterEnvironment: "east",
      user: "repl",
      password: "repl-pass",
    }),
    (e: unknown) =>
      e instanceof ServiceError && e.code === "duplicate_source" && /'east' already replicates/.test(e.message),
  );
  // 404 for the connection (hub itself exists), 400 for removing the default one — and the sources are untouched.
  await assert.rejects(
    rep.controlSlave(actor, "hub", { connection: "nope", action: "full-start" }),
    (e: unknown) => e instanceof ServiceError && e.status === 404 && /'nope'/.test(e.message),
  );
  await assert.rejects(
    rep.controlSlave(actor, "hub", { action: "remove" }),
    (e: unknown) => e instanceof ServiceError && e.status === 400 && /named connections/.test(e.message),
  );
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/Yes" }, "both sources still replicate");

  // Wrong credentials on one connection: the doctor points it at Mariner's own account, keeping its position.
  await rep.configureMaster(actor, "hub", {
    connection: "west",
    masterEnvironment: "west",
    user: "repl",
    password: "wrong-pass",
  });
  await rep.controlSlave(actor, "hub", { connection: "west", action: "full-start" });
  const login = await until(
    () => doctor.diagnose(actor),
    (fs) => fs.some((f) => f.id === "repl-login:hub:west"),
  );
  assert.ok(
    login.some((f) => f.id === "repl-login:hub:west"),
    "1045 on connection 'west' diagnosed",
  );
  await doctor.applyFix(actor, "repl-login:hub:west");
  await until(threads, (t) => t.west === "Yes/Yes");
  await exec("west", "INSERT INTO stock.items VALUES (5)");
  assert.equal(
    await until(
      () => count("hub", "stock.items"),
      (n) => n === 7,
    ),
    7,
  );

  await rep.controlSlave(actor, "hub", { connection: "west", action: "remove" });
  assert.deepEqual(await threads(), { east: "Yes/Yes" });
  assert.equal(await count("hub", "stock.items"), 7, "removing a source keeps the data it brought");
  assert.deepEqual(
    (await discoverTopology(actor)).edges.filter((e) => e.to === "hub").map((e) => e.from),
    ["east"],
  );
});

test("a switchover of a source's master carries the named connection to the new master", async () => {
  const topo = await import("../../lib/topology");
  await svc.createEnvironment(actor, { name: "m1" });
  await rep.enableBinlog(actor, "m1");
  await (
    await topo.beginAddSlaves(actor, "m1", { count: 1 })
  ).done;
  await svc.createEnvironment(actor, { name: "agg2" });
  await rep.addReplicationUser(actor, "m1", { user: "repl", password: "repl-pass" });
  await rep.configureMaster(actor, "agg2", {
    connection: "m1",
    masterEnvironment: "m1",
    user: "repl",
    password: "repl-pass",
  });
  await rep.controlSlave(actor, "agg2", { connection: "m1", action: "full-start" });
  await exec("m1", "CREATE DATABASE crm");
  await exec("m1", "CREATE TABLE crm.leads (id INT PRIMARY KEY)");
  await exec("m1", "INSERT INTO crm.leads VALUES (1)");
  assert.equal(
    await until(
      () => count("agg2", "crm.leads"),
      (n) => n === 1,
    ),
    1,
  );

  // agg3 replicates from m1 on its default connection and from east on a named one: never promoted.
  await svc.createEnvironment(actor, { name: "agg3" });
  await rep.configureMaster(actor, "agg3", { masterEnvironment: "m1", user: "repl", password: "repl-pass" });
  await rep.controlSlave(actor, "agg3", { action: "full-start" });
  // m2 writes GTID domain 0 like m1: refused until it gets a domain of its own (and, having no slaves and no
  // databases, a fresh binary log); by file/position it is refused outright.
  await svc.createEnvironment(actor, { name: "m2" });
  await rep.enableBinlog(actor, "m2");
  await rep.addReplicationUser(actor, "m2", { user: "repl", password: "repl-pass" });
  const m2Now = (await rep.replicationStatus(actor, "m2")).master;
  const source = { connection: "x", masterEnvironment: "m2", user: "repl", password: "repl-pass" };
  await assert.rejects(
    rep.configureMaster(actor, "agg3", {
      ...source,
      mode: "binlog",
      logFile: m2Now.file!,
      logPos: m2Now.position!,
      ownGtidDomain: true,
    }),
    (e: unknown) => e instanceof ServiceError && /use GTID/.test(e.message),
  );
  await assert.rejects(
    rep.configureMaster(actor, "agg3", source),
    (e: unknown) => e instanceof ServiceError && e.code === "gtid_domain_clash",
  );
  // A master with data cannot be made a clean second source: refused with the reason, nothing changed.
  await exec("m2", "CREATE DATABASE early");
  await assert.rejects(
    rep.configureMaster(actor, "agg3", { ...source, ownGtidDomain: true }),
    (e: unknown) => e instanceof ServiceError && /holds databases \(early\)/.test(e.message),
  );
  await exec("m2", "DROP DATABASE early");
  assert.equal((await rep.configureMaster(actor, "agg3", { ...source, ownGtidDomain: true })).freshBinlog, true);
  await rep.controlSlave(actor, "agg3", { connection: "x", action: "full-start" });
  assert.equal(
    await until(
      () => count("agg3", "crm.leads"),
      (n) => n === 1,
    ),
    1,
  );
  await exec("m2", "CREATE DATABASE m2data");
  const arrived = await until(
    async () =>
      (
        (await exec(
          "agg3",
          "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE schema_name = 'm2data'",
        )) as unknown as [{ n: number }[]]
      )[0][0].n,
    (n) => Number(n) === 1,
  );
  assert.equal(Number(arrived), 1, "m2's new events arrive on agg3");
  const report = await topo.preflight(actor, "m1");
  assert.deepEqual(report.candidates.map((c) => c.name).sort(), ["agg3", "m1-slave-1"]);
  assert.ok(
    report.candidates.find((c) => c.name === "agg3")!.reasons.some((r) => /multi-source/.test(r)),
    "agg3 is refused as a candidate",
  );
  assert.equal(report.chosen, "m1-slave-1");
  await (
    await topo.beginSwitchover(actor, "m1", { candidate: "m1-slave-1" })
  ).done;
  const newMaster = (await env("m1-slave-1")).nodes[0];
  const status = (await rep.replicationStatus(actor, "agg2")).connections.find((c) => c.name === "m1")!;
  assert.equal(
    `${status.status.Master_Host}:${status.status.Master_Port}`,
    `${newMaster.host}:${newMaster.port}`,
    "connection 'm1' follows the new master",
  );
  await exec("m1-slave-1", "INSERT INTO crm.leads VALUES (2)");
  assert.equal(
    await until(
      () => count("agg2", "crm.leads"),
      (n) => n === 2,
    ),
    2,
    "writes on the new master arrive through connection 'm1'",
  );
  assert.equal(
    await until(
      () => count("agg3", "crm.leads"),
      (n) => n === 2,
    ),
    2,
    "agg3's default connection was repointed too",
  );
});
