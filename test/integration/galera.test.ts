import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor, until } from "../support/harness";

const dataDir = useTempDataDir("galera");
process.env.MARINER_RESTART_POLICY = "never";
const galera = await import("../../lib/galera");
const config = await import("../../lib/environments/config");
const svc = await import("../../lib/environments/service");
const backups = await import("../../lib/backups/service");
const alerts = await import("../../lib/monitoring/alerts");
const { discoverTopology } = await import("../../lib/topology/discover");
const { db } = await import("../../lib/db/client");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
const NAME = "gal";
const members = ["gal-1", "gal-2", "gal-3"];

async function root(name: string) {
  const c = await svc.connectionDetails(actor, name);
  return mysql.createConnection({ host: c.host, port: c.port, user: "root", password: c.password });
}

async function one<T>(name: string, sql: string, params: unknown[] = []): Promise<T> {
  const c = await root(name);
  try {
    // Causal reads: a member answers only after applying everything committed before the read.
    await c.query("SET SESSION wsrep_sync_wait = 1");
    const [rows] = await c.query(sql, params);
    return (rows as T[])[0];
  } finally {
    await c.end();
  }
}

async function pidOf(name: string) {
  const env = await db().environment.findFirstOrThrow({ where: { name }, include: { nodes: true } });
  return env.nodes[0].pid!;
}

const sizes = async () => (await galera.clusterStatus(actor, NAME)).members.map((m) => m.wsrep?.clusterSize ?? 0);

before(async () => {
  actor = await adminActor();
});

after(async () => {
  await galera.deleteCluster(actor, NAME).catch(() => undefined);
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("bad input is refused with a clear 4xx and creates nothing", async () => {
  for (const [raw, message] of [
    [{ name: "bad", nodes: 4 }, /3 or 5 nodes/],
    [{ name: "bad", runtime: "docker" }, /local runtime/],
    [{ name: "Bad Name" }, /DNS label/],
    [{ name: "bad", extra: 1 }, /Unrecognized key/],
  ] as const) {
    await assert.rejects(galera.beginCreateCluster(actor, raw), (e: { status: number; message: string }) => {
      assert.equal(e.status, 400);
      assert.match(e.message, message);
      return true;
    });
  }
  assert.equal(await db().galeraCluster.count(), 0);
  assert.equal(await db().environment.count(), 0);
});

test("create a 3-node cluster: every member Synced; a write on each member is read on the others", async () => {
  const t0 = Date.now();
  const { done, operationId } = await galera.beginCreateCluster(actor, { name: NAME, nodes: 3 });
  await done;
  console.log(`# cluster create → all Synced: ${Date.now() - t0} ms`);
  const op = await db().operation.findUniqueOrThrow({ where: { id: operationId } });
  assert.equal(op.status, "succeeded");
  assert.match(op.steps, /bootstrapping gal-1/);
  assert.match(op.steps, /joining gal-3: state transfer/);

  const joinerLog = (await db().environment.findFirstOrThrow({ where: { name: "gal-2" }, include: { nodes: true } }))
    .nodes[0].baseDir!;
  const joined = fs.readFileSync(`${joinerLog}/error.log`, "utf8");
  assert.match(joined, /mariabackup SST completed on joiner/);
  // The receiver listened on the member's own address only, not on every interface.
  const host2 = (await svc.connectionDetails(actor, "gal-2")).host;
  assert.match(joined, new RegExp(`socat -u TCP-LISTEN:4444,reuseaddr,bind=${host2.replace(/\./g, "\\.")} stdio`));
  const steps = JSON.parse(op.steps) as { name: string; at: string }[];
  const at = (re: RegExp) => Date.parse(steps.find((s) => re.test(s.name))!.at);
  console.log(`# join by SST (gal-2): ${at(/^gal-2 is Synced/) - at(/^joining gal-2/)} ms`);

  const status = await galera.clusterStatus(actor, NAME);
  assert.deepEqual(
    status.members.map((m) => [m.name, m.wsrep?.state, m.wsrep?.clusterSize, m.wsrep?.clusterStatus]),
    members.map((m) => [m, "Synced", 3, "Primary"]),
  );
  assert.equal(new Set(status.members.map((m) => m.wsrep?.clusterUuid)).size, 1);
  assert.equal(status.health.state, "healthy");
  // Each member on its own address: three servers, not one answering thrice.
  assert.equal(new Set(status.members.map((m) => m.address)).size, 3);

  const c = await root("gal-1");
  await c.query("CREATE DATABASE app");
  await c.query("CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, via VARCHAR(20), at DATETIME(6))");
  await c.end();
  for (const m of members) {
    const w = await root(m);
    await w.query("INSERT INTO app.t (via, at) VALUES (?, NOW(6))", [m]);
    await w.end();
  }
  for (const m of members) {
    const r = await one<{ n: number; vias: string }>(
      m,
      "SELECT COUNT(*) AS n, GROUP_CONCAT(via ORDER BY via) AS vias FROM app.t",
    );
    assert.equal(Number(r.n), 3, `${m} sees every member's write`);
    assert.equal(r.vias, members.join(","));
  }
});

test("a member's my.cnf keeps the console's wsrep settings; a hostile provider or address is not applied", async () => {
  const saved = await config.saveConfig(actor, "gal-2", {
    content:
      (await config.getConfig(actor, "gal-2")).content +
      "\nwsrep_cluster_address = gcomm://10.9.9.9:4567\nmax_connections = 170\n",
  });
  assert.ok(saved.notices.some((n) => /wsrep-cluster-address is managed by Mariner/.test(n)));
  assert.match(saved.content, /wsrep-cluster-address = gcomm:\/\/127\./);
  await assert.rejects(
    config.saveConfig(actor, "gal-2", {
      content: (await config.getConfig(actor, "gal-2")).content + "\nskip-wsrep-on\n",
    }),
    /not applied/,
  );
  await assert.rejects(
    config.saveConfig(actor, "gal-2", {
      content: (await config.getConfig(actor, "gal-2")).content.replace("[mysqld]", "[mysqld]\nwsrep_new_cluster"),
    }),
    /not applied/,
  );
  // The SST script evaluates some values unquoted (innodb_buffer_pool_size as --use-memory): no shell syntax.
  await assert.rejects(
    config.saveConfig(actor, "gal-2", {
      content:
        (await config.getConfig(actor, "gal-2")).content +
        "\ninnodb_buffer_pool_size = 128M$(touch /tmp/mariner-pwned)\n",
    }),
    /not applied/,
  );
  // The SST script's group runs its keys as commands: a tenant's is replaced by the console's.
  const sst = await config.saveConfig(actor, "gal-2", {
    content:
      (await config.getConfig(actor, "gal-2")).content + '\n[sst]\ncompressor = "touch /tmp/mariner-sst-pwned"\n',
  });
  assert.doesNotMatch(sst.content, /compressor/);
  assert.equal(sst.content.match(/^\[sst\]$/gm)?.length, 1);
  const r = await one<{ n: number }>("gal-2", "SELECT @@max_connections AS n");
  assert.equal(Number(r.n), 170);
  await until(sizes, (s) => s.every((n) => n === 3), 60_000);
});

test("kill the writer's member: the cluster runs on 2 and the writer endpoint still writes; restarted, it rejoins by IST", async () => {
  const ep = await galera.createGaleraEndpoints(actor, NAME);
  assert.equal(ep?.writerMember, "gal-1");
  const [host, port] = ep!.writer.split(":");
  const write = async (via: string) => {
    const c = await mysql.createConnection({
      host,
      port: Number(port),
      user: "root",
      password: (await svc.connectionDetails(actor, "gal-1")).password,
      connectTimeout: 2000,
    });
    try {
      await c.query("INSERT INTO app.t (via, at) VALUES (?, NOW(6))", [via]);
      const [[row]] = (await c.query("SELECT @@wsrep_node_name AS node")) as unknown as [{ node: string }[]];
      return row.node;
    } finally {
      await c.end();
    }
  };
  assert.equal(await write("endpoint"), "gal-1");

  process.kill(await pidOf("gal-1"), "SIGKILL");
  const after = await until(sizes, (s) => s[1] === 2 && s[2] === 2, 30_000);
  assert.deepEqual(after.slice(1), [2, 2]);
  const status = await galera.clusterStatus(actor, NAME);
  assert.equal(status.health.state, "degraded");
  assert.ok(status.health.problems.some((p) => /gal-1 is down/.test(p.message)));

  // HAProxy's check sees the writer gone and takes the first standby: no console involved.
  const node = await until(
    () => write("after-kill"),
    (n) => n !== "gal-1",
    15_000,
    200,
  );
  assert.ok(node === "gal-2" || node === "gal-3", `the writer endpoint now writes on ${node}`);

  const log = (await db().environment.findFirstOrThrow({ where: { name: "gal-1" }, include: { nodes: true } })).nodes[0]
    .baseDir!;
  const offset = fs.statSync(`${log}/error.log`).size;
  const t0 = Date.now();
  const { done } = await galera.beginRecoverCluster(actor, NAME);
  assert.equal(await done, "rejoin");
  console.log(`# rejoin by IST: ${Date.now() - t0} ms`);
  const since = fs.readFileSync(`${log}/error.log`, "utf8").slice(offset);
  // The SST script says which transfer it ran ("$METHOD $TRANSFER_TYPE completed on joiner").
  assert.match(since, /mariabackup IST completed on joiner/, "it caught up by IST");
  assert.doesNotMatch(since, /mariabackup SST completed on joiner/, "no full state transfer");
  assert.match(since, /Receiving IST: \d+ writesets/);
  assert.deepEqual(await sizes(), [3, 3, 3]);
  const r = await one<{ n: number }>("gal-1", "SELECT COUNT(*) AS n FROM app.t WHERE via = 'after-kill'");
  assert.equal(Number(r.n), 1, "the rejoined member has the write made while it was down");
  await galera.refreshGaleraEndpoints();
});

test("SIGKILL every member under writes: recovery bootstraps the most advanced one and no acknowledged write is lost", async () => {
  await (await root("gal-1")).end();
  const c = await root("gal-2");
  await c.query("CREATE TABLE app.acked (id INT PRIMARY KEY, via VARCHAR(20))");
  await c.end();
  const acked: number[] = [];
  let stop = false;
  const writers = members.map(async (m, w) => {
    const conn = await root(m);
    for (let i = 0; !stop; i++) {
      const id = i * 3 + w + 1;
      try {
        await conn.query("INSERT INTO app.acked VALUES (?, ?)", [id, m]);
        acked.push(id);
      } catch {
        break;
      }
    }
    conn.destroy();
  });
  await new Promise((r) => setTimeout(r, 1500));
  const historyBefore = (await galera.clusterStatus(actor, NAME)).members[0].wsrep!.clusterUuid;
  const pids = await Promise.all(members.map(pidOf));
  // gal-1 dies first and the others commit on without it: bootstrapping gal-1 would lose those commits.
  process.kill(pids[0], "SIGKILL");
  await until(sizes, (s) => s[1] === 2 && s[2] === 2, 30_000);
  const whileTwo = acked.length;
  await until(
    async () => acked.length,
    (n) => n > whileTwo + 50,
    10_000,
  );
  for (const pid of pids.slice(1)) process.kill(pid, "SIGKILL");
  stop = true;
  await Promise.all(writers);
  assert.ok(acked.length > 20, `writes were acknowledged before the crash (${acked.length})`);
  await until(
    async () => (await galera.clusterStatus(actor, NAME)).members.every((m) => !m.running),
    (v) => v,
    10_000,
  );
  const status = await galera.clusterStatus(actor, NAME);
  assert.equal(status.health.state, "down");
  assert.match(status.health.problems[0].message, /Every member is down/);

  const logs = await Promise.all(
    members.map(async (m) => {
      const dir = (await db().environment.findFirstOrThrow({ where: { name: m }, include: { nodes: true } })).nodes[0]
        .baseDir!;
      return { file: `${dir}/error.log`, offset: fs.statSync(`${dir}/error.log`).size };
    }),
  );
  const t0 = Date.now();
  const { done, operationId } = await galera.beginRecoverCluster(actor, NAME);
  assert.equal(await done, "full-crash");
  // The cluster carries on its own history (same state UUID): the others catch up by IST, none by a full copy.
  for (const l of logs)
    assert.doesNotMatch(fs.readFileSync(l.file, "utf8").slice(l.offset), /mariabackup SST completed on joiner/);
  assert.deepEqual(
    (await galera.clusterStatus(actor, NAME)).members.map((m) => m.wsrep?.clusterUuid),
    members.map(() => historyBefore),
  );
  console.log(`# full-crash recovery: ${Date.now() - t0} ms, ${acked.length} acknowledged writes`);
  const op = await db().operation.findUniqueOrThrow({ where: { id: operationId } });
  const steps = JSON.parse(op.steps) as { name: string; at: string }[];
  for (const s of steps) console.log(`#   +${Date.parse(s.at) - Date.parse(steps[0].at)} ms ${s.name}`);
  assert.match(op.steps, /--wsrep-recover/);
  const seqnos = new Map(
    steps
      .map((x) => /^(gal-\d): seqno (\d+)/.exec(x.name))
      .filter((m) => m !== null)
      .map((m) => [m[1], Number(m[2])]),
  );
  assert.ok(seqnos.get("gal-1")! < seqnos.get("gal-2")!, `gal-1 (killed first) is behind: ${[...seqnos]}`);
  assert.doesNotMatch(op.steps, /bootstrapping gal-1/, "never the member that would lose commits");
  assert.match(op.steps, /bootstrapping gal-[23]/);
  assert.deepEqual(await sizes(), [3, 3, 3]);
  for (const m of members) {
    const r = await one<{ ids: number[] | null }>(m, "SELECT JSON_ARRAYAGG(id) AS ids FROM app.acked");
    const present = new Set(r.ids ?? []);
    const lost = acked.filter((id) => !present.has(id));
    assert.deepEqual(lost, [], `${m} has every acknowledged write`);
  }
  console.log(`# writes lost: 0 of ${acked.length}`);
});

test("a rolling my.cnf apply with a bad value stops at the first member and rolls it back; a good one reaches all", async () => {
  const before = await db().configRevision.count({ where: { environment: { name: { in: ["gal-2", "gal-3"] } } } });
  const bad = await galera.beginRollingConfig(actor, NAME, { set: { innodb_data_home_dir: "nonexistent-mariner" } });
  await assert.rejects(bad.done, /Stopped at gal-1/);
  const first = await db().configRevision.findFirstOrThrow({
    where: { environment: { name: "gal-1" } },
    orderBy: { createdAt: "desc" },
  });
  assert.equal(first.result, "rolled-back");
  assert.equal(
    await db().configRevision.count({ where: { environment: { name: { in: ["gal-2", "gal-3"] } } } }),
    before,
    "the other members were not touched",
  );
  await until(sizes, (s) => s.every((n) => n === 3), 60_000);

  await assert.rejects(
    galera.beginRollingConfig(actor, NAME, { set: { wsrep_cluster_address: "gcomm://" } }),
    /managed by Mariner/,
  );
  const good = await galera.beginRollingConfig(actor, NAME, { set: { max_connections: "180" } });
  await good.done;
  for (const m of members) assert.equal(Number((await one<{ n: number }>(m, "SELECT @@max_connections AS n")).n), 180);
  assert.deepEqual(await sizes(), [3, 3, 3]);
});

test("a member cannot be deleted alone; remove node leaves a 2-member cluster that still writes", async () => {
  await assert.rejects(svc.deleteEnvironment(actor, "gal-3"), /member of a Galera cluster/);
  const gone = (await svc.connectionDetails(actor, "gal-3")).host;
  await galera.removeMember(actor, NAME, "gal-3");
  assert.deepEqual(await until(sizes, (s) => s.length === 2 && s.every((n) => n === 2), 30_000), [2, 2]);
  const cnf = await config.getConfig(actor, "gal-1");
  assert.ok(!cnf.content.includes(`${gone}:4567`), "the others no longer list it");
  assert.equal(await db().environment.count({ where: { name: "gal-3" } }), 0);
  const w = await root("gal-1");
  await w.query("INSERT INTO app.t (via, at) VALUES ('two-members', NOW(6))");
  await w.end();
  const r = await one<{ n: number }>("gal-2", "SELECT COUNT(*) AS n FROM app.t WHERE via = 'two-members'");
  assert.equal(Number(r.n), 1);
  await assert.rejects(galera.removeMember(actor, NAME, "gal-2"), /keeps 2 members/);
});

test("add node: a new member joins by a full state transfer; a member's physical backup is taken desynced", async () => {
  const { done, operationId } = await galera.beginAddMember(actor, NAME);
  // The next free place in the order: gal-3's name is free again since its removal.
  assert.deepEqual(await done, { node: "gal-3" });
  const op = await db().operation.findUniqueOrThrow({ where: { id: operationId } });
  assert.match(op.steps, /joining gal-3: state transfer/);
  const status = await galera.clusterStatus(actor, NAME);
  assert.deepEqual(
    status.members.map((m) => [m.name, m.wsrep?.state, m.wsrep?.clusterSize]),
    [
      ["gal-1", "Synced", 3],
      ["gal-2", "Synced", 3],
      ["gal-3", "Synced", 3],
    ],
  );
  const r = await one<{ n: number }>("gal-3", "SELECT COUNT(*) AS n FROM app.t WHERE via = 'two-members'");
  assert.equal(Number(r.n), 1, "the new member holds the cluster's data");
  // Every member's my.cnf lists the new address.
  const host3 = (await svc.connectionDetails(actor, "gal-3")).host;
  assert.ok((await config.getConfig(actor, "gal-1")).content.includes(`${host3}:4567`));

  const backup = await backups.beginBackup(actor, "gal-2", { input: { method: "physical" } });
  await backup.done;
  const steps = (await db().operation.findUniqueOrThrow({ where: { id: backup.operationId } })).steps;
  assert.match(steps, /desyncing gal-2 from its Galera cluster/);
  assert.match(steps, /resyncing gal-2/);
  const [row] = await backups.listBackups(actor, "gal-2");
  assert.equal(row.status, "succeeded");
  assert.equal(
    Number((await one<{ d: number }>("gal-2", "SELECT @@wsrep_desync AS d")).d),
    0,
    "resynced after the copy",
  );
  await until(sizes, (s) => s.every((n) => n === 3), 30_000);
});

test("a 'galera' alert fires while a node is desynced and clears when it is Synced again", async () => {
  await alerts.addRule(actor, "gal-2", { kind: "galera" });
  const env = await svc.getEnvironment(actor, "gal-2");
  const c = await root("gal-2");
  await c.query("SET GLOBAL wsrep_desync = ON");
  await alerts.evaluateAlerts(actor.id, await discoverTopology(actor));
  const open = await db().alert.findMany({ where: { environmentId: env.id, clearedAt: null } });
  assert.equal(open.length, 1);
  assert.match(open[0].message, /gal-2: Galera node is Donor\/Desynced \(Primary, cluster size 3\)/);
  await c.query("SET GLOBAL wsrep_desync = OFF");
  await c.end();
  await until(
    async () => (await galera.clusterStatus(actor, NAME)).members.find((m) => m.name === "gal-2")?.wsrep?.state,
    (s) => s === "Synced",
    30_000,
  );
  await alerts.evaluateAlerts(actor.id, await discoverTopology(actor));
  assert.equal(await db().alert.count({ where: { id: open[0].id, clearedAt: { not: null } } }), 1);
});
