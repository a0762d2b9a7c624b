import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { describeError, isLostConnection, watchLoss } from "../support/sessions";
import { waitFor } from "../support/wait";

/**
 * One driver conformance suite, run against every runtime: local processes, and each Docker engine listed in
 * MARINER_TEST_DOCKER_HOSTS ("a=unix:///run/…/a.sock,b=…", set by npm test after starting two engines).
 */
const dataDir = useTempDataDir("conformance");
process.env.MARINER_RESTART_POLICY = "never";
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const rep = await import("../../lib/environments/replication");
const sql = await import("../../lib/environments/sql");
const hosts = await import("../../lib/runtime/hosts");
const { reconcile } = await import("../../lib/monitoring/watch");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { setServerOptions } = await import("../../lib/mycnf/parse");
const { identityOf } = await import("../../lib/runtime/identity");
const { secretKeyFile } = await import("../../lib/paths");
const { dockerClient } = await import("../../lib/runtime/docker");
import type { Actor } from "../../lib/auth/actor";
import type { Node } from "../../generated/prisma/client";

const dockerHosts = (process.env.MARINER_TEST_DOCKER_HOSTS ?? "")
  .split(",")
  .filter(Boolean)
  .map((s) => s.split("=") as [string, string]);
let actor: Actor;

before(async () => {
  actor = await adminActor();
  for (const [name, endpoint] of dockerHosts) await hosts.registerHost(actor, { name, endpoint });
});

after(async () => {
  // Endpoint containers first (a failed test may leave one), then environments and their containers.
  const endpoints = await import("../../lib/proxy/endpoints");
  for (const e of await endpoints.listEndpoints(actor))
    await endpoints.deleteEndpoints(actor, e.name).catch(() => undefined);
  for (const e of await svc.listEnvironments(actor)) await svc.deleteEnvironment(actor, e.name).catch(() => undefined);
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const engineOf = (runtime: string) => dockerClient(dockerHosts.find(([h]) => `docker:${h}` === runtime)![1]);

const runtimes: { label: string; input: Record<string, string> }[] = [
  { label: "local", input: { runtime: "local" } },
  ...dockerHosts.map(([name]) => ({ label: `docker:${name}`, input: { runtime: "docker", host: name } })),
];

// Missing engines are a visible skip with the reason (npm test starts two and fails on any skip).
const noEngines =
  "MARINER_TEST_DOCKER_HOSTS lists no Docker engines: start them with `bash scripts/dockerd.sh start a b` (npm test does)";
if (!dockerHosts.length) test("driver conformance: docker", { skip: noEngines }, () => undefined);
if (dockerHosts.length < 2)
  test("replication across Docker hosts", { skip: `needs two Docker engines. ${noEngines}` }, () => undefined);

for (const rt of runtimes) {
  describe(`driver conformance: ${rt.label}`, () => {
    const name = `conf-${rt.label.replace(/[^a-z0-9]/g, "")}`;

    test("create → ready (real login) → config apply and rollback → stop/start → reconcile adopts → destroy", async () => {
      const t0 = Date.now();
      const env = await svc.createEnvironment(actor, { name, ...rt.input });
      console.log(`${rt.label}: ready in ${Date.now() - t0} ms`);
      assert.equal(env.runtime, rt.label);
      const conn = await svc.connectionDetails(actor, name);
      const c = await mysql.createConnection({
        host: conn.host,
        port: conn.port,
        user: "root",
        password: conn.password,
      });
      assert.match(((await c.query("SELECT VERSION() AS v"))[0] as { v: string }[])[0].v, /MariaDB/);
      await c.end();
      await assertCaged(name, env.nodes[0]);

      const { content } = await cfg.getConfig(actor, name);
      await assert.rejects(
        cfg.saveConfig(actor, name, { content: `${content}\nfoo-bar = 1\n` }),
        /refused this my.cnf/,
      );
      await assert.rejects(
        cfg.saveConfig(actor, name, {
          content: setServerOptions(content, { innodb_data_home_dir: "nonexistent-mariner" }),
        }),
        /previous configuration was restored/,
      );
      const applied = await cfg.saveConfig(actor, name, {
        content: setServerOptions(content, { max_connections: "77" }),
      });
      assert.equal(applied.restarted, true);
      const c2 = await mysql.createConnection({
        host: conn.host,
        port: conn.port,
        user: "root",
        password: conn.password,
      });
      const [[mc]] = (await c2.query("SELECT @@max_connections AS m")) as unknown as [{ m: number }[]];
      await c2.end();
      assert.equal(Number(mc.m), 77);

      assert.equal((await svc.environmentAction(actor, name, { action: "stop" })).status, "stopped");
      assert.equal((await svc.environmentAction(actor, name, { action: "start" })).status, "running");
      await reconcile();
      assert.equal((await svc.getEnvironment(actor, name)).status, "running", "adopted after a console restart");
      const live = await svc.liveStatus(await svc.getEnvironment(actor, name));
      assert.equal(live?.state, "running");

      const node = env.nodes[0];
      await svc.deleteEnvironment(actor, name);
      if (node.containerId) {
        const engine = engineOf(rt.label);
        const label = { label: [`mariner.node=${node.id}`] };
        assert.equal((await engine.listContainers({ all: true, filters: label })).length, 0, "no container left");
        assert.equal((await engine.listVolumes({ filters: label })).Volumes?.length ?? 0, 0, "no volume left");
      } else assert.equal(fs.existsSync(node.baseDir!), false);
    });
  });
}

/** Every runtime keeps the server in its cage: own uid, secure-file-priv, and for containers the confinement. */
async function assertCaged(name: string, node: Node) {
  const probe = await sql.runSql(actor, name, {
    statement: `LOAD DATA INFILE '${secretKeyFile()}' INTO TABLE mysql.db`,
  });
  assert.equal(probe.kind === "error" && probe.errno, 1290, "secure-file-priv refuses the console's key");
  let pid = node.pid;
  if (node.containerId) {
    const info = await engineOf((await svc.getEnvironment(actor, name)).runtime)
      .getContainer(node.containerId)
      .inspect();
    // Nothing of the console's disk: the node's state is a named volume on its host.
    assert.deepEqual(
      info.Mounts.map((m) => m.Type),
      ["volume"],
      "one named volume, no bind mount",
    );
    assert.deepEqual(info.HostConfig.CapDrop, ["ALL"]);
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.SecurityOpt, ["no-new-privileges"]);
    assert.ok((info.HostConfig.PidsLimit ?? 0) > 0, "pids limit");
    assert.notEqual(info.Config.User, "");
    pid = info.State.Pid; // the container's mariadbd as the host sees it
  }
  const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  if (process.getuid?.() === 0 && !node.containerId)
    assert.equal(uid, identityOf(node.baseDir!)!.uid, "runs as the node's own uid");
  assert.notEqual(uid, 0, "never root");
}

if (dockerHosts.length >= 2) {
  test("replication across Docker hosts: master on one host, slave placed on the other, database visible on the slave", async () => {
    const master = await svc.createEnvironment(actor, { name: "dmaster", runtime: "docker" });
    const slave = await svc.createEnvironment(actor, { name: "dslave", runtime: "docker", awayFrom: "dmaster" });
    assert.notEqual(slave.runtime, master.runtime, "placed on another host");
    await rep.enableBinlog(actor, "dmaster");
    await rep.addReplicationUser(actor, "dmaster", { user: "repl", password: "repl-pass-1" });
    await rep.configureMaster(actor, "dslave", { masterEnvironment: "dmaster", user: "repl", password: "repl-pass-1" });
    await rep.controlSlave(actor, "dslave", { action: "full-start" });
    await sql.runSql(actor, "dmaster", { statement: "CREATE DATABASE Jelastic" });
    const arrived = await waitFor(async () => (await sql.databases(actor, "dslave")).includes("Jelastic"), {
      what: "CREATE DATABASE Jelastic to reach dslave",
    });
    console.log(`cross-host: ${master.runtime} → ${slave.runtime}, database visible after ${arrived.ms} ms`);

    // TLS replication: certificates written into each node's volume through the Engine API, verified by the slave.
    const { setReplicationTls } = await import("../../lib/environments/tls");
    const tls = await setReplicationTls(actor, "dslave", { enabled: true });
    assert.equal(tls.masterSslAllowed, "Yes");
    assert.equal(tls.verifyServerCert, "Yes");
    assert.equal(tls.threads, "Yes/Yes", tls.lastIoError ?? "");
    assert.match(tls.negotiated?.version ?? "", /^TLSv1\.[23]$/);
  });

  test("endpoints on the docker runtime: HAProxy runs as a container on the master's engine and follows a new master", async () => {
    const endpoints = await import("../../lib/proxy/endpoints");
    const told = await import("../../lib/topology/endpoints");
    const mysql = (await import("mysql2/promise")).default;
    const password = async (env: string) => (await svc.connectionDetails(actor, env)).password;
    const via = async (address: string, env: string) =>
      mysql.createConnection({
        host: address.split(":")[0],
        port: Number(address.split(":")[1]),
        user: "root",
        password: await password(env),
        connectTimeout: 2000,
      });
    const serverIdVia = async (address: string, env: string) => {
      const c = await via(address, env);
      const [[r]] = (await c.query("SELECT @@server_id AS id")) as unknown as [{ id: number }[]];
      await c.end();
      return Number(r.id);
    };
    const master = await svc.getEnvironment(actor, "dmaster");
    const slave = await svc.getEnvironment(actor, "dslave");

    const ep = await told.createEndpoints(actor, "dmaster", {});
    assert.equal(ep.runtime, master.runtime);
    const engine = engineOf(master.runtime);
    const proxies = await engine.listContainers({ filters: { label: ["mariner.proxy"] } });
    assert.equal(proxies.length, 1, "one HAProxy container on the master's engine");
    assert.equal(await serverIdVia(ep.writer, "dmaster"), master.nodes[0].serverId);
    assert.equal((await endpoints.listEndpoints(actor)).find((e) => e.name === ep.name)?.running, true);

    // A session held through the writer is cut when the endpoint follows another master (fencing).
    const held = await via(ep.writer, "dmaster");
    const heldLost = watchLoss(held);
    await told.followNewMaster(actor, "dmaster", "dslave");
    // Cut, not slow: the held session's next statement fails because the connection is gone.
    const { value: cut } = await waitFor(
      () =>
        held.query("SELECT 1").then(
          () => null,
          (e: unknown) => e as Error,
        ),
      { what: "the session held through the writer to be cut" },
    );
    assert.ok(
      isLostConnection(cut) || isLostConnection(heldLost()),
      `the old session through the writer was cut: ${describeError(cut)}`,
    );
    held.destroy();
    assert.equal(await serverIdVia(ep.writer, "dslave"), slave.nodes[0].serverId, "writer follows the new master");

    await endpoints.deleteEndpoints(actor, ep.name);
    assert.equal(
      (await engine.listContainers({ all: true, filters: { label: ["mariner.proxy"] } })).length,
      0,
      "container removed",
    );
    await assert.rejects(
      via(ep.writer, "dslave"),
      (e: { code?: string }) => e.code === "ECONNREFUSED",
      "nothing listens any more",
    );
  });
}
