import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { remoteHost, startRemoteHost } from "../support/remote-hosts";
import { waitFor } from "../support/wait";

/**
 * Docker hosts that really are apart: each in its own network namespace with its own address on a private bridge,
 * its own engine (dockerd --dns 127.0.0.1, scripts/remote-host.sh) reached only at tcp://ADDRESS:2376 with TLS
 * client verification, set up the way an admin would with "Issue certificates". Needs engine "a" (npm test starts it) for the image.
 */
const dataDir = useTempDataDir("remote-hosts");
process.env.MARINER_RESTART_POLICY = "never";
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const rep = await import("../../lib/environments/replication");
const topo = await import("../../lib/topology");
const hosts = await import("../../lib/runtime/hosts");
const { issueCertificate } = await import("../../lib/tls/ca");
const { dockerClient } = await import("../../lib/runtime/docker");
const { setServerOptions } = await import("../../lib/mycnf/parse");
const { db } = await import("../../lib/db/client");
const { checkEnvironment } = await import("../../lib/monitoring/watch");
const { binlogGtidReader, formatGtid } = await import("../../lib/mariadb/gtid");
import type { Actor } from "../../lib/auth/actor";

const { clientTls } = await import("../../lib/mariadb/transport");
/** As the console does: to a server on another machine over TLS only, its certificate verified. */
const connect = (o: mysql.ConnectionOptions) => mysql.createConnection({ ...o, ...clientTls(o.host) });
const machines = { c: "10.231.0.3", d: "10.231.0.4" } as const;
const engineA = "/run/mariner-docker/a/docker.sock";
const skip = fs.existsSync(engineA) ? false : "needs Docker engine a for the image: bash scripts/dockerd.sh start a";
let actor: Actor;
const clients: Record<string, { ca: string; cert: string; key: string }> = {};

before(async () => {
  if (skip) return;
  actor = await adminActor();
  for (const [name, address] of Object.entries(machines))
    clients[name] = await startRemoteHost(actor, name, address, path.join(dataDir, `engine-${name}`));
});

after(async () => {
  if (skip) return;
  for (const e of await svc.listEnvironments(actor)) await svc.deleteEnvironment(actor, e.name).catch(() => undefined);
  for (const name of Object.keys(machines)) remoteHost("stop", name);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The server_id answering at an endpoint address, logged in as root of the server behind it. */
async function serverIdVia(address: string, password: string) {
  const [host, port] = address.split(":");
  const c = await connect({ host, port: Number(port), user: "root", password, connectTimeout: 3000 });
  const [[r]] = (await c.query("SELECT @@server_id AS id")) as unknown as [{ id: number }[]];
  await c.end();
  return Number(r.id);
}

const engine = (name: keyof typeof machines) => dockerClient(`tcp://${machines[name]}:2376`, clients[name]);

test(
  "Add host over TLS: plain TCP and a certificate of the servers' CA are refused; credentials stored encrypted",
  { skip },
  async () => {
    await assert.rejects(
      hosts.registerHost(actor, { name: "c", endpoint: `tcp://${machines.c}:2376` }),
      /needs TLS client certificates/,
    );
    // A client certificate a tenant's server could hold (servers CA) does not open the engine: the console trusts
    // the engine (engine CA), and the engine refuses the client.
    const tenantCert = await issueCertificate({ commonName: "tenant", client: true });
    await assert.rejects(
      hosts.registerHost(actor, {
        name: "c",
        endpoint: `tcp://${machines.c}:2376`,
        tls: { ca: clients.c.ca, cert: tenantCert.cert, key: tenantCert.key },
      }),
      /did not answer/,
    );
    assert.equal(await db().dockerHost.count(), 0, "nothing stored");
    assert.equal(await db().operation.count({ where: { action: "host.issue-credentials" } }), 2, "issuing is audited");
    for (const name of ["c", "d"] as const)
      await hosts.registerHost(actor, { name, endpoint: `tcp://${machines[name]}:2376`, tls: clients[name] });
    // A host without the images gets them from another registered host, engine to engine (no registry).
    const { copyImages } = await import("../../lib/runtime/images");
    const { DEFAULT_IMAGE } = await import("../../lib/runtime/docker");
    const { PROXY_IMAGE } = await import("../../lib/runtime/proxy-launchers");
    for (const image of [DEFAULT_IMAGE, PROXY_IMAGE]) await engine("d").getImage(image).remove({ force: true });
    assert.equal((await hosts.listHosts()).find((h) => h.name === "d")?.health.image, false);
    const t0 = Date.now();
    assert.deepEqual(await copyImages(actor, "d"), { copied: [DEFAULT_IMAGE, PROXY_IMAGE], from: "c" });
    console.log(`images copied c → d over the Engine API in ${Date.now() - t0} ms`);
    assert.equal((await hosts.listHosts()).find((h) => h.name === "d")?.health.image, true);
    const row = await db().dockerHost.findUniqueOrThrow({ where: { name: "c" } });
    assert.equal(row.advertisedAddress, machines.c, "advertised address from the endpoint");
    for (const sealed of [row.tlsKeyEnc, row.tlsCertEnc, row.tlsCaEnc]) assert.doesNotMatch(sealed ?? "", /BEGIN/);
    assert.deepEqual(
      (await hosts.listHosts()).map((h) => [h.name, h.health.ok, h.tls]),
      [
        ["c", true, true],
        ["d", true, true],
      ],
    );
  },
);

test(
  "a server on another machine: its address, a volume, my.cnf through the API, stop/start, nothing left after delete",
  { skip },
  async () => {
    const t0 = Date.now();
    const env = await svc.createEnvironment(actor, { name: "far", runtime: "docker", host: "c" });
    console.log(`remote create → accepting connections: ${Date.now() - t0} ms`);
    const node = env.nodes[0];
    assert.equal(node.host, machines.c);
    const info = await engine("c").getContainer(node.containerId!).inspect();
    assert.deepEqual(
      info.Mounts.map((m) => m.Type),
      ["volume"],
    );
    const { content } = await cfg.getConfig(actor, "far");
    await assert.rejects(cfg.saveConfig(actor, "far", { content: `${content}\nfoo-bar = 1\n` }), /refused this my.cnf/);
    assert.equal(
      (await cfg.saveConfig(actor, "far", { content: setServerOptions(content, { max_connections: "91" }) })).restarted,
      true,
    );
    const { password } = await svc.connectionDetails(actor, "far");
    const c = await connect({ host: node.host, port: node.port, user: "root", password });
    const [[row]] = (await c.query("SELECT @@max_connections AS m, @@bind_address AS b")) as unknown as [
      { m: number; b: string }[],
    ];
    await c.end();
    assert.deepEqual([Number(row.m), row.b], [91, machines.c]);
    // Root over the network is TLS only: the same login in the clear is refused.
    await assert.rejects(
      mysql.createConnection({ host: node.host, port: node.port, user: "root", password }),
      /Access denied/,
    );
    // A dead server's binary logs are read on its host (throwaway container over its volume) for failover.
    await rep.enableBinlog(actor, "far");
    const w = await connect({ host: node.host, port: node.port, user: "root", password });
    await w.query("CREATE DATABASE t");
    await w.query("CREATE TABLE t.x (id INT PRIMARY KEY)");
    await w.query("INSERT INTO t.x VALUES (1), (2)");
    const [[{ pos }]] = (await w.query("SELECT @@gtid_binlog_pos AS pos")) as unknown as [{ pos: string }[]];
    await w.end();
    await engine("c").getContainer(node.containerId!).kill();
    const reader = binlogGtidReader();
    const { driverFor } = await import("../../lib/runtime");
    const { nodeRefOf } = await import("../../lib/environments/spec");
    const far = await svc.getEnvironment(actor, "far");
    assert.equal(await driverFor(far.runtime).scanBinlogs(nodeRefOf(far.nodes[0]), (l) => reader.line(l)), true);
    assert.equal(formatGtid(reader.result().position), pos, "the last GTID, read from the dead server's volume");
    assert.equal((await svc.environmentAction(actor, "far", { action: "start" })).status, "running");
    assert.equal((await svc.environmentAction(actor, "far", { action: "stop" })).status, "stopped");
    assert.equal((await svc.environmentAction(actor, "far", { action: "start" })).status, "running");
    await svc.deleteEnvironment(actor, "far");
    const label = { label: [`mariner.node=${node.id}`] };
    assert.equal((await engine("c").listContainers({ all: true, filters: label })).length, 0);
    assert.equal((await engine("c").listVolumes({ filters: label })).Volumes?.length ?? 0, 0);
  },
);

test(
  "across machines: Add slave on the other host, TLS replication, failover when the master's engine stops",
  { skip },
  async () => {
    await svc.createEnvironment(actor, { name: "shop", runtime: "docker", host: "c" });
    await rep.enableBinlog(actor, "shop");
    const { password } = await svc.connectionDetails(actor, "shop");
    const shop = await svc.getEnvironment(actor, "shop");
    const writer = await connect({
      host: shop.nodes[0].host,
      port: shop.nodes[0].port,
      user: "root",
      password,
    });
    await writer.query("CREATE DATABASE orders");
    await writer.query("CREATE TABLE orders.o (id INT PRIMARY KEY, note VARCHAR(50))");
    await writer.query("INSERT INTO orders.o SELECT seq, 'before the slave' FROM orders.seq_1_to_1000");
    await writer.end();
    const t0 = Date.now();
    const { slaves } = await (await topo.beginAddSlaves(actor, "shop", { count: 1 })).done;
    console.log(`Add slave across hosts: ${Date.now() - t0} ms`);
    const slave = await svc.getEnvironment(actor, slaves[0]);
    assert.equal(slave.nodes[0].host, machines.d, "the slave is on the other machine");

    // A backup taken on machine d (streamed to the console's store) restored as a new server on machine c.
    const backups = await import("../../lib/backups/service");
    const taken = await (await backups.beginBackup(actor, slave.name)).done;
    await (
      await backups.beginRestore(actor, taken.id, { name: "restored", runtime: "docker", host: "c" })
    ).done;
    const restored = await svc.getEnvironment(actor, "restored");
    assert.equal(restored.nodes[0].host, machines.c);
    const r = await connect({
      host: restored.nodes[0].host,
      port: restored.nodes[0].port,
      user: "root",
      password: (await svc.connectionDetails(actor, "restored")).password,
    });
    const [[{ n }]] = (await r.query("SELECT COUNT(*) AS n FROM orders.o")) as unknown as [{ n: number }[]];
    await r.end();
    assert.equal(Number(n), 1000);
    await svc.deleteEnvironment(actor, "restored");

    // Across machines, Add slave encrypted the replication by itself: the slave verifies its master's certificate.
    const status = (await rep.replicationStatus(actor, slave.name)).slave!;
    assert.deepEqual(
      [status.Master_SSL_Allowed, status.Master_SSL_Verify_Server_Cert, status.Slave_IO_Running],
      ["Yes", "Yes", "Yes"],
    );

    const again = await connect({
      host: shop.nodes[0].host,
      port: shop.nodes[0].port,
      user: "root",
      password,
    });
    for (let i = 1001; i <= 1200; i++) await again.query("INSERT INTO orders.o VALUES (?, 'acknowledged')", [i]);
    await again.end();
    const slaveLogin = {
      host: slave.nodes[0].host,
      port: slave.nodes[0].port,
      user: "root",
      password: (await svc.connectionDetails(actor, slave.name)).password,
    };
    const rows = async () => {
      const c = await connect(slaveLogin);
      const [[r]] = (await c.query("SELECT COUNT(*) AS n FROM orders.o")) as unknown as [{ n: number }[]];
      await c.end();
      return Number(r.n);
    };
    await waitFor(async () => (await rows()) === 1200, { what: "the slave to hold all 1200 rows" });

    // Endpoints on the master's host, at its address; when that host goes, they move with the master.
    const told = await import("../../lib/topology/endpoints");
    const ep = await told.createEndpoints(actor, "shop", {});
    assert.match(ep.writer, new RegExp(`^${machines.c.replace(/\./g, "\\.")}:\\d+$`));
    assert.equal(await serverIdVia(ep.writer, password), shop.nodes[0].serverId);

    // Host failure: the master's engine stops (its containers with it). The monitor tells "host unreachable" from
    // "server down", and automatic failover (2 s grace) promotes the slave on the other machine: the slave's IO
    // thread and the console's probe agree.
    await topo.setFailoverPolicy(actor, "shop", { autoFailover: true });
    remoteHost("stop-engine", "c");
    const stopped = Date.now();
    await checkEnvironment(shop.id, { restart: false });
    const marked = await svc.getEnvironment(actor, "shop");
    assert.equal(marked.status, "unreachable");
    assert.match(marked.statusDetail ?? "", /Docker host "c" .* does not answer/);
    await waitFor(async () => (await checkEnvironment(shop.id, { restart: false })) === "failing-over", {
      what: "automatic failover to start",
    });
    const { value: op } = await waitFor(
      () => db().operation.findFirst({ where: { action: "topology.failover", status: { not: "running" } } }),
      { what: "the failover to finish" },
    );
    assert.equal(op.status, "succeeded", op.error ?? "");
    console.log(`automatic failover after the master's engine stopped: ${op.finishedAt!.getTime() - stopped} ms`);
    const endpoints = await import("../../lib/proxy/endpoints");
    const now = (await endpoints.listEndpoints(actor)).find((e) => e.name === ep.name)!;
    assert.match(
      now.writer,
      new RegExp(`^${machines.d.replace(/\./g, "\\.")}:\\d+$`),
      "moved to the new master's host",
    );
    assert.ok(JSON.parse(op.steps).some((s: { name: string }) => /its old host does not answer/.test(s.name)));
    assert.equal(await serverIdVia(now.writer, slaveLogin.password), slave.nodes[0].serverId);
    const c = await connect(slaveLogin);
    await c.query("INSERT INTO orders.o VALUES (1201, 'after failover')");
    await c.end();
    assert.equal(await rows(), 1201, "every acknowledged write is on the new master");
    // The host is back for the clean-up of its environments.
    remoteHost("start", "c", machines.c, path.join(dataDir, "engine-c"));
  },
);
