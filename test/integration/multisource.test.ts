import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";

const dataDir = useTempDataDir("multisource");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const rep = await import("../../lib/environments/replication");
const { asRoot } = await import("../../lib/environments/root");
const { discoverTopology } = await import("../../lib/topology/discover");
const doctor = await import("../../lib/topology/doctor");
const { db } = await import("../../lib/db/client");
const { ensureAdmin } = await import("../../lib/auth/users");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { setServerOptions } = await import("../../lib/mycnf/parse");
const { ServiceError } = await import("../../lib/errors");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;

before(async () => {
  process.env.MARINER_ADMIN_PASSWORD = "admin-password";
  await ensureAdmin(() => {});
  const u = await db().user.findFirstOrThrow();
  actor = { id: u.id, email: u.email, role: "admin" };
  for (const name of ["east", "west", "hub"]) await svc.createEnvironment(actor, { name });
  for (const name of ["east", "west"]) {
    const { content } = await cfg.getConfig(actor, name);
    await cfg.saveConfig(actor, name, { content: setServerOptions(content, { "log-bin": "mysql-bin", "binlog-format": "mixed" }) });
    await rep.addReplicationUser(actor, name, { user: "repl", password: "repl-pass" });
  }
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const env = (name: string) => svc.getEnvironment(actor, name);
const exec = async (name: string, sql: string, values?: unknown[]) => asRoot(await env(name), (c) => c.query(sql, values));
const count = async (name: string, table: string) =>
  asRoot(await env(name), async (c) => {
    const [r] = await c.query(`SELECT COUNT(*) AS n FROM ${table}`).catch(() => [[{ n: -1 }]]);
    return Number((r as { n: number }[])[0].n);
  });
const threads = async () => Object.fromEntries((await rep.replicationStatus(actor, "hub")).connections.map((c) => [c.name, `${c.status.Slave_IO_Running}/${c.status.Slave_SQL_Running}`]));

test("two masters → one slave through named connections: writes from both arrive, each connection controlled on its own", async () => {
  await rep.configureMaster(actor, "hub", { connection: "east", masterEnvironment: "east", user: "repl", password: "repl-pass" });
  await rep.controlSlave(actor, "hub", { connection: "east", action: "full-start" });
  await until(threads, (t) => t.east === "Yes/Yes");

  // Both masters write GTID domain 0: a second source on it would overwrite the first one's position.
  await assert.rejects(
    rep.configureMaster(actor, "hub", { connection: "west", masterEnvironment: "west", user: "repl", password: "repl-pass" }),
    (e: unknown) => e instanceof ServiceError && e.code === "gtid_domain_clash" && /domain 0/.test(e.message),
  );
  assert.deepEqual(Object.keys(await threads()), ["east"], "the refused source changed nothing");

  // An application session open on west would keep writing domain 0 after the change: refused while it is open.
  await exec("west", "CREATE USER app@'%' IDENTIFIED BY 'app-pass'");
  const westNode = (await env("west")).nodes[0];
  const mysql = (await import("mysql2/promise")).default;
  const app = await mysql.createConnection({ host: westNode.host, port: westNode.port, user: "app", password: "app-pass" });
  await assert.rejects(
    rep.configureMaster(actor, "hub", { connection: "west", masterEnvironment: "west", user: "repl", password: "repl-pass", ownGtidDomain: true }),
    (e: unknown) => e instanceof ServiceError && e.code === "sessions_open" && /users: app/.test(e.message),
  );
  await app.end();
  await until(async () => (await exec("west", "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'app'"))[0] as unknown as { n: number }[], (r) => Number(r[0].n) === 0);
  const added = await rep.configureMaster(actor, "hub", { connection: "west", masterEnvironment: "west", user: "repl", password: "repl-pass", ownGtidDomain: true });
  assert.ok(added.gtidDomain !== null && added.gtidDomain > 0, `west got a domain of its own: ${added.gtidDomain}`);
  // west's earlier events (its replication user) are in domain 0 too: it joins at its current binlog position.
  assert.equal(added.mode, "binlog");
  assert.match((await cfg.getConfig(actor, "west")).content, new RegExp(`gtid-domain-id\\s*=\\s*${added.gtidDomain}`), "persisted in west's my.cnf");
  await rep.controlSlave(actor, "hub", { connection: "west", action: "full-start" });
  assert.deepEqual(await until(threads, (t) => t.west === "Yes/Yes"), { east: "Yes/Yes", west: "Yes/Yes" });

  await exec("east", "CREATE DATABASE sales");
  await exec("east", "CREATE TABLE sales.orders (id INT PRIMARY KEY)");
  await exec("east", "INSERT INTO sales.orders VALUES (1), (2), (3)");
  await exec("west", "CREATE DATABASE stock");
  await exec("west", "CREATE TABLE stock.items (id INT PRIMARY KEY)");
  await exec("west", "INSERT INTO stock.items VALUES (1), (2)");
  assert.equal(await until(() => count("hub", "sales.orders"), (n) => n === 3), 3, "east's rows on hub");
  assert.equal(await until(() => count("hub", "stock.items"), (n) => n === 2), 2, "west's rows on hub");

  // The topology shows two incoming edges, one per connection.
  const topology = await discoverTopology(actor);
  const into = topology.edges.filter((e) => e.to === "hub").map((e) => `${e.from}:${e.connection}:${e.health.state}`).sort();
  assert.deepEqual(into, ["east:east:running", "west:west:running"]);
  assert.deepEqual(topology.nodes.find((n) => n.name === "hub")!.masters.sort(), ["east", "west"]);

  // Stop SQL thread on west only: east keeps applying, west's rows wait.
  await rep.controlSlave(actor, "hub", { connection: "west", action: "stop-sql" });
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/No" });
  await exec("west", "INSERT INTO stock.items VALUES (3)");
  await exec("east", "INSERT INTO sales.orders VALUES (4)");
  assert.equal(await until(() => count("hub", "sales.orders"), (n) => n === 4), 4);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await count("hub", "stock.items"), 2, "west's new row waits while its SQL thread is stopped");
  // The doctor sees the named connection's stopped SQL thread and its fix starts only that one.
  const finding = (await doctor.diagnose(actor)).find((f) => f.id === "sql-stopped:hub:west");
  assert.ok(finding, "doctor finding for connection 'west'");
  assert.match(finding.title, /connection 'west'/);
  await doctor.applyFix(actor, "sql-stopped:hub:west");
  assert.equal(await until(() => count("hub", "stock.items"), (n) => n === 3), 3);
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/Yes" });

  // Each connection keeps its own position per domain: a restart resumes both without re-fetching or a 1236.
  await svc.environmentAction(actor, "hub", { action: "restart" });
  await until(threads, (t) => t.east === "Yes/Yes" && t.west === "Yes/Yes");
  await exec("east", "INSERT INTO sales.orders VALUES (5)");
  await exec("west", "INSERT INTO stock.items VALUES (4)");
  assert.equal(await until(() => count("hub", "sales.orders"), (n) => n === 5), 5);
  assert.equal(await until(() => count("hub", "stock.items"), (n) => n === 4), 4);
  assert.deepEqual(await threads(), { east: "Yes/Yes", west: "Yes/Yes" });
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
    rep.configureMaster(actor, "hub", { connection: "again", masterEnvironment: "east", user: "repl", password: "repl-pass" }),
    (e: unknown) => e instanceof ServiceError && e.code === "duplicate_source" && /'east' already replicates/.test(e.message),
  );
  await assert.rejects(rep.controlSlave(actor, "hub", { connection: "nope", action: "full-start" }), (e: unknown) => e instanceof ServiceError && e.status === 404);
  await assert.rejects(rep.controlSlave(actor, "hub", { action: "remove" }), (e: unknown) => e instanceof ServiceError && e.status === 400);

  // Wrong credentials on one connection: the doctor points it at Mariner's own account, keeping its position.
  await rep.configureMaster(actor, "hub", { connection: "west", masterEnvironment: "west", user: "repl", password: "wrong-pass", mode: "binlog", logFile: (await rep.replicationStatus(actor, "west")).master.file!, logPos: (await rep.replicationStatus(actor, "west")).master.position! });
  await rep.controlSlave(actor, "hub", { connection: "west", action: "full-start" });
  const login = await until(() => doctor.diagnose(actor), (fs) => fs.some((f) => f.id === "repl-login:hub:west"));
  assert.ok(login.some((f) => f.id === "repl-login:hub:west"), "1045 on connection 'west' diagnosed");
  await doctor.applyFix(actor, "repl-login:hub:west");
  await until(threads, (t) => t.west === "Yes/Yes");
  await exec("west", "INSERT INTO stock.items VALUES (5)");
  assert.equal(await until(() => count("hub", "stock.items"), (n) => n === 5), 5);

  await rep.controlSlave(actor, "hub", { connection: "west", action: "remove" });
  assert.deepEqual(await threads(), { east: "Yes/Yes" });
  assert.equal(await count("hub", "stock.items"), 5, "removing a source keeps the data it brought");
  assert.deepEqual((await discoverTopology(actor)).edges.filter((e) => e.to === "hub").map((e) => e.from), ["east"]);
});
