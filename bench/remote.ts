// The remote-host figures: a Docker host in its own network namespace reached over TLS (scripts/remote-host.sh),
// set up as an admin would. Console create vs a raw container of the same image on that engine (volume, my.cnf
// uploaded, install-db + mariadbd) until it answers over the network; Add slave across two such hosts.
import path from "node:path";
import mysql from "mysql2/promise";
import type { Actor } from "../lib/auth/actor";
import { remoteHost, startRemoteHost } from "../test/support/remote-hosts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MACHINES = { c: "10.231.0.3", d: "10.231.0.4" } as const;

export async function remoteHostRows(actor: Actor, dataDir: string, runs: number) {
  const hosts = await import("../lib/runtime/hosts");
  const svc = await import("../lib/environments/service");
  const rep = await import("../lib/environments/replication");
  const topo = await import("../lib/topology");
  const { dockerClient, DEFAULT_IMAGE } = await import("../lib/runtime/docker");
  const { uploadEntries } = await import("../lib/runtime/engine-files");
  const { renderInitialMyCnf } = await import("../lib/mycnf/render");
  const { wiringOf } = await import("../lib/runtime/node-dir");
  const clients: Record<string, { ca: string; cert: string; key: string }> = {};
  for (const [name, address] of Object.entries(MACHINES)) {
    clients[name] = await startRemoteHost(actor, name, address, path.join(dataDir, `engine-${name}`));
    await hosts.registerHost(actor, { name: `bench-${name}`, endpoint: `tcp://${address}:2376`, tls: clients[name] });
  }
  try {
    const docker = dockerClient(`tcp://${MACHINES.c}:2376`, clients.c);
    const raw: number[] = [];
    const console_: number[] = [];
    for (let i = 0; i < runs; i++) {
      const port = 9300 + i;
      const cnf = renderInitialMyCnf(
        wiringOf({ nodeId: `raw${i}`, host: MACHINES.c, port, serverId: 9300 + i, memoryMb: 256 }, "/raw/node"),
        256,
      );
      const t0 = performance.now();
      await docker.createVolume({ Name: `bench-raw-${i}` });
      const c = await docker.createContainer({
        Image: DEFAULT_IMAGE,
        User: "201000:201000",
        Cmd: [
          "sh",
          "-c",
          "mariadb-install-db --defaults-file=/raw/node/my.cnf --auth-root-authentication-method=normal --skip-test-db >/dev/null 2>&1; exec mariadbd --defaults-file=/raw/node/my.cnf",
        ],
        HostConfig: { NetworkMode: "host", Mounts: [{ Type: "volume", Source: `bench-raw-${i}`, Target: "/raw" }] },
      });
      const dir = (name: string) => ({ name, mode: 0o700, uid: 201000, gid: 201000 });
      await uploadEntries(c, "/raw", [
        dir("node/"),
        dir("node/tmp/"),
        dir("node/files/"),
        { name: "node/my.cnf", content: cnf, mode: 0o644, uid: 0, gid: 0 },
      ]);
      await c.start();
      for (;;) {
        const answered = await mysql
          .createConnection({ host: MACHINES.c, port, user: "root", password: "", connectTimeout: 1000 })
          .then(
            (conn) => conn.end().then(() => true),
            (e: { errno?: number }) => (e.errno ?? 0) >= 1000,
          );
        if (answered) break;
        await sleep(15);
      }
      raw.push(performance.now() - t0);
      await c.remove({ force: true });
      await docker.getVolume(`bench-raw-${i}`).remove();
      const t1 = performance.now();
      await svc.createEnvironment(actor, { name: `far${i}`, runtime: "docker", host: "bench-c" });
      console_.push(performance.now() - t1);
      await svc.deleteEnvironment(actor, `far${i}`);
    }
    // Add slave across the two machines, for the 52 MB master of the main bench's shape.
    await svc.createEnvironment(actor, { name: "farmaster", runtime: "docker", host: "bench-c" });
    await rep.enableBinlog(actor, "farmaster");
    const master = await svc.getEnvironment(actor, "farmaster");
    const { password } = await svc.connectionDetails(actor, "farmaster");
    const { clientTls } = await import("../lib/mariadb/transport");
    const conn = await mysql.createConnection({
      ...clientTls(master.nodes[0].host),
      host: master.nodes[0].host,
      port: master.nodes[0].port,
      user: "root",
      password,
    });
    await conn.query("CREATE DATABASE shop");
    await conn.query("CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(200))");
    for (let i = 0; i < 25; i++)
      await conn.query("INSERT INTO shop.orders (note) SELECT REPEAT('x', 180) FROM shop.seq_1_to_10000");
    await conn.query("ANALYZE TABLE shop.orders");
    const [[size]] = (await conn.query(
      "SELECT ROUND(SUM(data_length + index_length) / 1048576) AS mb FROM information_schema.tables WHERE table_schema = 'shop'",
    )) as unknown as [{ mb: number }[]];
    await conn.end();
    const t2 = performance.now();
    await (
      await topo.beginAddSlaves(actor, "farmaster", { count: 1 })
    ).done;
    const addSlaveMs = performance.now() - t2;
    for (const e of await svc.listEnvironments(actor))
      if (e.name.startsWith("farmaster")) await svc.deleteEnvironment(actor, e.name);
    return [
      {
        figure: "environment create → accepting connections (remote host over TLS), median",
        value: median(console_),
        baseline: median(raw),
        unit: "ms",
        goal: "≤ 1.25× raw",
      },
      {
        figure: `Add slave across two remote hosts (${Number(size.mb)} MB master)`,
        value: addSlaveMs,
        baseline: null,
        unit: "ms",
        goal: "measured",
      },
    ];
  } finally {
    for (const name of Object.keys(MACHINES)) {
      await hosts.removeHost(actor, `bench-${name}`).catch(() => undefined);
      remoteHost("stop", name);
    }
  }
}
