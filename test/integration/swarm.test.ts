import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { startSwarm, stopSwarm, SWARM_NODES } from "../support/swarm";
import { waitFor } from "../support/wait";

/**
 * The swarm runtime on a real three-node Docker Swarm (a manager and two workers, each in its own network
 * namespace with its own address, reached only through the manager's TLS endpoint).
 */
const dataDir = useTempDataDir("swarm");
process.env.MARINER_RESTART_POLICY = "never";
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

test("stop is scale 0, start scale 1; delete removes the service, its configs and secrets, and empties its volume", async () => {
  const env = await svc.getEnvironment(actor, "shop-slave-2");
  const node = env.nodes[0];
  assert.equal((await svc.environmentAction(actor, env.name, { action: "stop" })).status, "stopped");
  assert.equal((await servicesOf(node.id))[0].Spec!.Mode!.Replicated!.Replicas, 0);
  assert.equal((await svc.environmentAction(actor, env.name, { action: "start" })).status, "running");
  const up = await sql.runSql(actor, env.name, { statement: "SELECT 1" });
  assert.equal(up.kind, "rows");

  await svc.deleteEnvironment(actor, env.name);
  const label = { filters: { label: [`mariner.node=${node.id}`] } };
  assert.equal((await servicesOf(node.id)).length, 0, "no service left");
  assert.equal((await manager.listConfigs(label)).length, 0, "no config left");
  assert.equal((await manager.listSecrets(label)).length, 0, "no secret left");
  const swarmNode = SWARM_NODES.find((n) => n.address === node.host)!;
  const volume = `/var/lib/mariner-docker/${swarmNode.name}/data/volumes/mariner-node-${node.id}/_data`;
  assert.deepEqual(fs.existsSync(volume) ? fs.readdirSync(volume) : [], [], "the volume holds nothing");
});
