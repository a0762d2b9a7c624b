import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { remoteHost } from "../support/remote-hosts";
import { startSwarm, stopSwarm, SWARM_NODES } from "../support/swarm";
import { waitFor } from "../support/wait";

/**
 * The swarm runtime on a real three-node Docker Swarm (a manager and two workers, each in its own network
 * namespace with its own address, reached only through the manager's TLS endpoint).
 */
const dataDir = useTempDataDir("swarm");
process.env.MARINER_RESTART_POLICY = "never";
process.env.MARINER_ANTI_FLAP_SECONDS = "0"; // the healing test fails over right after adding slaves
process.env.MARINER_HEAL_CONFIRM_SECONDS = "3";
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const sql = await import("../../lib/environments/sql");
const hosts = await import("../../lib/runtime/hosts");
const topo = await import("../../lib/topology");
const rep = await import("../../lib/environments/replication");
const { checkSwarmImages } = await import("../../lib/runtime/swarm-nodes");
const { listRevisions } = await import("../../lib/environments/config-revisions");
const { setServerOptions } = await import("../../lib/mycnf/parse");
const { dockerClient } = await import("../../lib/runtime/docker-engine");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { reconcile, startMonitor, stopMonitor } = await import("../../lib/monitoring/watch");
const backups = await import("../../lib/backups/service");
const { discoverTopology } = await import("../../lib/topology/discover");
const { db } = await import("../../lib/db/client");
const { clientTls } = await import("../../lib/mariadb/transport");
const { caCertFile } = await import("../../lib/tls/ca");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
let manager: ReturnType<typeof dockerClient>;

before(async () => {
  actor = await adminActor();
  const { endpoint, tls } = await startSwarm(actor, path.join(dataDir, "engines"));
  manager = dockerClient(endpoint, tls);
  await hosts.registerHost(actor, { name: "sw", kind: "swarm", endpoint, tls });
});

after(async () => {
  stopMonitor();
  for (const e of await svc.listEnvironments(actor)) await svc.deleteEnvironment(actor, e.name).catch(() => undefined);
  await stopNodesUnder(dataDir);
  stopSwarm();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const servicesOf = async (nodeId: string) => manager.listServices({ filters: { label: [`mariner.node=${nodeId}`] } });
const configsOf = async (nodeId: string) =>
  ((await servicesOf(nodeId))[0].Spec!.TaskTemplate as { ContainerSpec: { Configs: unknown[] } }).ContainerSpec.Configs;

test("registering: the manager's nodes listed live, the image asked of every node", async () => {
  await assert.rejects(
    hosts.registerHost(actor, {
      name: "notswarm",
      kind: "swarm",
      endpoint: "unix:///run/mariner-docker/a/docker.sock",
    }),
    /not a Swarm manager/,
    "a plain engine is refused as a Swarm",
  );
  const [sw] = (await hosts.listHosts()).filter((h) => h.kind === "swarm");
  assert.equal(sw.health.ok, true);
  assert.deepEqual(
    sw.nodes!.map((n) => [n.address, n.role, n.state, n.availability]),
    SWARM_NODES.map((n, i) => [n.address, i === 0 ? "manager" : "worker", "ready", "active"]),
  );
  const images = await checkSwarmImages(actor, "sw");
  assert.deepEqual(Object.values(images), ["present", "present", "present"]);
});

test("a master and two slaves: three services on three nodes, replicating; Swarm rolls back a my.cnf that does not start", async () => {
  const t0 = Date.now();
  const master = await svc.createEnvironment(actor, { name: "shop", runtime: "swarm" });
  console.log(`swarm: ready in ${Date.now() - t0} ms on ${master.nodes[0].host}`);
  assert.equal(master.runtime, "swarm:sw");
  const [service] = await servicesOf(master.nodes[0].id);
  const spec = service.Spec!.TaskTemplate as {
    ContainerSpec: { User: string; ReadOnly: boolean; CapabilityDrop: string[]; Configs: { ConfigName: string }[] };
    Placement: { Constraints: string[] };
  };
  assert.equal(spec.ContainerSpec.User, "201000:201000", "never root");
  assert.equal(spec.ContainerSpec.ReadOnly, true);
  assert.deepEqual(spec.ContainerSpec.CapabilityDrop, ["ALL"]);
  assert.match(spec.Placement.Constraints[0], /^node\.id==/, "pinned to its node");
  const probe = await sql.runSql(actor, "shop", { statement: "LOAD DATA INFILE '/etc/passwd' INTO TABLE mysql.db" });
  assert.equal(probe.kind === "error" && probe.errno, 1290, "secure-file-priv");

  await rep.enableBinlog(actor, "shop");
  await sql.runSql(actor, "shop", { statement: "CREATE DATABASE app" });
  await (
    await topo.beginAddSlaves(actor, "shop", { count: 2 })
  ).done;
  const servers = await Promise.all(["shop", "shop-slave-1", "shop-slave-2"].map((n) => svc.getEnvironment(actor, n)));
  const addresses = servers.map((s) => s.nodes[0].host);
  assert.equal(new Set(addresses).size, 3, `three different nodes: ${addresses.join(", ")}`);
  await sql.runSql(actor, "shop", { statement: "CREATE TABLE app.t (id INT PRIMARY KEY)" });
  await sql.runSql(actor, "shop", { statement: "INSERT INTO app.t VALUES (7)" });
  for (const slave of ["shop-slave-1", "shop-slave-2"])
    await waitFor(
      async () => {
        const r = await sql.runSql(actor, slave, { statement: "SELECT id FROM app.t" });
        return r.kind === "rows" && r.rows.length === 1;
      },
      { what: `the row to reach ${slave}` },
    );

  // Validates (mariadbd --help accepts it) but cannot start: the Swarm's update rolls back to the previous config.
  const before = await configsOf(master.nodes[0].id);
  const { content } = await cfg.getConfig(actor, "shop");
  await assert.rejects(
    cfg.saveConfig(actor, "shop", { content: setServerOptions(content, { innodb_data_home_dir: "nonexistent-x" }) }),
    /previous configuration was restored/,
  );
  const [latest] = await listRevisions(actor, "shop");
  assert.equal(latest.result, "rolled-back");
  assert.match(latest.message ?? "", /Swarm: rolled the update back/);
  assert.deepEqual(await configsOf(master.nodes[0].id), before, "the service runs the previous config");
  assert.equal((await svc.getEnvironment(actor, "shop")).status, "running");

  const applied = await cfg.saveConfig(actor, "shop", {
    content: setServerOptions(content, { max_connections: "77" }),
  });
  assert.equal(applied.restarted, true);
  const mc = await sql.runSql(actor, "shop", { statement: "SELECT @@max_connections AS m" });
  assert.equal(mc.kind === "rows" && Number(mc.rows[0][0]), 77);
});

test("stop is scale 0, start scale 1, reconcile adopts, a backup restores onto the Swarm; delete removes the service, its configs and secrets, and empties its volume", async () => {
  const env = await svc.getEnvironment(actor, "shop-slave-2");
  const node = env.nodes[0];
  assert.equal((await svc.environmentAction(actor, env.name, { action: "stop" })).status, "stopped");
  assert.equal((await servicesOf(node.id))[0].Spec!.Mode!.Replicated!.Replicas, 0);
  assert.equal((await svc.environmentAction(actor, env.name, { action: "start" })).status, "running");
  const up = await sql.runSql(actor, env.name, { statement: "SELECT 1" });
  assert.equal(up.kind, "rows");
  await reconcile();
  assert.equal((await svc.getEnvironment(actor, env.name)).status, "running", "adopted after a console restart");

  // A backup taken from this slave (streamed to the console's store) restored as a new server on the Swarm.
  const taken = await (await backups.beginBackup(actor, env.name)).done;
  await (
    await backups.beginRestore(actor, taken.id, { name: "restored", runtime: "swarm", host: "sw" })
  ).done;
  const restored = await sql.runSql(actor, "restored", { statement: "SELECT id FROM app.t" });
  assert.deepEqual(restored.kind === "rows" && restored.rows, [[7]]);
  assert.equal((await svc.getEnvironment(actor, "restored")).runtime, "swarm:sw");
  await svc.deleteEnvironment(actor, "restored");

  await svc.deleteEnvironment(actor, env.name);
  const label = { filters: { label: [`mariner.node=${node.id}`] } };
  assert.equal((await servicesOf(node.id)).length, 0, "no service left");
  assert.equal((await manager.listConfigs(label)).length, 0, "no config left");
  assert.equal((await manager.listSecrets(label)).length, 0, "no secret left");
  const swarmNode = SWARM_NODES.find((n) => n.address === node.host)!;
  const volume = `/var/lib/mariner-docker/${swarmNode.name}/data/volumes/mariner-node-${node.id}/_data`;
  assert.deepEqual(fs.existsSync(volume) ? fs.readdirSync(volume) : [], [], "the volume holds nothing");
});

test("healing: the worker holding the master stops under a writing client → failover, the writer follows, a replacement slave on a healthy node, no acknowledged write lost", async () => {
  // `shop` stays on the manager's node as load, so the new master goes to a worker (placement: least loaded).
  await svc.deleteEnvironment(actor, "shop-slave-1");
  const master = await svc.createEnvironment(actor, { name: "heal", runtime: "swarm" });
  const lostNode = SWARM_NODES.find((n) => n.address === master.nodes[0].host)!;
  assert.notEqual(lostNode, SWARM_NODES[0], "the master is on a worker");
  await rep.enableBinlog(actor, "heal");
  await sql.runSql(actor, "heal", { statement: "CREATE DATABASE app" });
  await sql.runSql(actor, "heal", { statement: "CREATE TABLE app.w (id INT PRIMARY KEY)" });
  await (
    await topo.beginAddSlaves(actor, "heal", { count: 2 })
  ).done;
  await topo.setHealing(actor, "heal", { keepSlaves: 2 });
  await topo.setFailoverPolicy(actor, "heal", { autoFailover: true });
  const ep = await topo.createEndpoints(actor, "heal", {});
  const [host, port] = ep.writer.split(":");
  // An application account, made on the master after its slaves: replicated, so it logs in on whichever is master.
  await sql.runSql(actor, "heal", { statement: "CREATE USER 'app'@'%' IDENTIFIED BY 'app-pass-1'" });
  await sql.runSql(actor, "heal", { statement: "GRANT SELECT, INSERT ON app.* TO 'app'@'%'" });

  // One client writes through the writer endpoint as fast as it can, keeping only the ids the server acknowledged.
  const acked: number[] = [];
  const ackedAt: number[] = [];
  let writing = true;
  let lastError = "";
  const writer = (async () => {
    let id = 0;
    let c: mysql.Connection | null = null;
    while (writing) {
      try {
        // Over TLS, as from another machine: through the endpoint (HAProxy on this machine's loopback) the server's
        // certificate is verified against the console CA, as clientTls does for the server's own address.
        c ??= await mysql.createConnection({
          host,
          port: Number(port),
          user: "app",
          password: "app-pass-1",
          connectTimeout: 1000,
          ssl: { ca: fs.readFileSync(caCertFile(), "utf8"), rejectUnauthorized: true },
        });
        await c.query("INSERT INTO app.w VALUES (?)", [++id]);
        acked.push(id);
        ackedAt.push(Date.now());
      } catch (e) {
        lastError = (e as Error).message;
        c?.destroy();
        c = null;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    c?.end().catch(() => undefined);
  })();
  await waitFor(() => acked.length > 50 || (lastError && Promise.reject(new Error(lastError))), {
    what: "writes through the writer endpoint",
  });

  startMonitor(250);
  const stopped = Date.now();
  const before = acked.length;
  remoteHost("stop-engine", lostNode.name);
  const { value: failover } = await waitFor(
    () => db().operation.findFirst({ where: { action: "topology.failover", status: { not: "running" } } }),
    { what: "the automatic failover to finish", timeoutMs: 90_000 },
  );
  assert.equal(failover.status, "succeeded", failover.error ?? "");
  await waitFor(() => acked.length > before + 10, {
    what: `writes to be acknowledged again (last error: ${lastError})`,
  });
  const newMaster = (JSON.parse(failover.steps) as { name: string }[])
    .map((s) => /^promoting (\S+)/.exec(s.name)?.[1])
    .find(Boolean)!;
  // The first write acknowledged once the failover had begun: the old master was gone by then.
  const firstAfter = ackedAt.findIndex((t, i) => i >= before && t > failover.startedAt.getTime());
  console.log(
    `swarm: node ${lostNode.address} lost → failover done after ${failover.finishedAt!.getTime() - stopped} ms, ` +
      `first acknowledged write on ${newMaster} ${ackedAt[firstAfter] - stopped} ms after the loss`,
  );

  const { value: healed } = await waitFor(
    () => db().operation.findFirst({ where: { action: "topology.heal", status: { not: "running" } } }),
    { what: "a replacement slave to be added", timeoutMs: 120_000 },
  );
  assert.equal(healed.status, "succeeded", healed.error ?? "");
  console.log(`swarm: replacement slave replicating ${healed.finishedAt!.getTime() - stopped} ms after the node loss`);
  writing = false;
  await writer;

  const topology = await discoverTopology(actor);
  const slaves = topology.edges.filter((e) => e.from === newMaster);
  assert.equal(slaves.length, 2, "two slaves again");
  for (const e of slaves) assert.equal(e.health.state, "running", `${e.to}: ${e.health.message}`);
  const placed = await Promise.all([newMaster, ...slaves.map((e) => e.to)].map((n) => svc.getEnvironment(actor, n)));
  assert.ok(
    placed.every((e) => e.nodes[0].host !== lostNode.address),
    "nothing placed on the lost node",
  );
  assert.notEqual(placed[0].nodes[0].host, placed.at(-1)!.nodes[0].host, "the replacement is apart from the master");
  const login = await svc.connectionDetails(actor, newMaster);
  const check = await mysql.createConnection({ ...clientTls(login.host), ...login });
  const [rows] = (await check.query("SELECT id FROM app.w")) as unknown as [{ id: number }[]];
  await check.end();
  const present = new Set(rows.map((r) => Number(r.id)));
  const lost = acked.filter((id) => !present.has(id));
  console.log(`swarm: ${acked.length} acknowledged writes, ${lost.length} lost`);
  assert.deepEqual(lost, [], "every acknowledged write is on the new master");

  // The old master stays fenced: its service is at 0 replicas, so its node coming back does not start it.
  const old = await svc.getEnvironment(actor, "heal");
  assert.equal(old.desiredState, "stopped");
  await waitFor(async () => (await servicesOf(old.nodes[0].id))[0].Spec!.Mode!.Replicated!.Replicas === 0, {
    what: "the old master's service to be scaled to 0",
  });
  stopMonitor();
  remoteHost("start", lostNode.name, lostNode.address, path.join(dataDir, "engines", lostNode.name));
});
