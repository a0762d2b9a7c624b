// npm run bench: Mariner against raw MariaDB on this machine, same run, same my.cnf.
// Writes bench/results.json and bench/results.md. A benchmark, not a test: it never fails on a slow figure.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-bench-"));
process.env.MARINER_DATA_DIR = dataDir;
process.env.MARINER_MIGRATIONS_DIR = path.resolve("prisma/migrations");

const { renderInitialMyCnf } = await import("../lib/mycnf/render");
const { SYSTEM_PLUGIN_DIR } = await import("../lib/mycnf/plugins");
const { nodeLayout } = await import("../lib/runtime/layout");
const { isOurProcess } = await import("../lib/runtime/process");
const svc = await import("../lib/environments/service");
const { ensureAdmin } = await import("../lib/auth/users");
const { db } = await import("../lib/db/client");
const { stopNodesUnder } = await import("../lib/runtime/cleanup");
const cfg = await import("../lib/environments/config");
const rep = await import("../lib/environments/replication");
const sqlSvc = await import("../lib/environments/sql");
const { liveStatuses } = await import("../lib/environments/status");
const { httpBench } = await import("./http");
const { retryingAddressRace } = await import("./fixture");
const { renderMarkdown } = await import("./report");
const topo = await import("../lib/topology");
const backupsSvc = await import("../lib/backups/service");
const endpointsSvc = { ...(await import("../lib/proxy/endpoints")), ...(await import("../lib/topology/endpoints")) };
const tlsSvc = await import("../lib/environments/tls");
const { setServerOptions } = await import("../lib/mycnf/parse");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The my.cnf Mariner writes, run the raw way: as root (user = root), no identity of its own — the baseline the
 * isolated create is measured against.
 */
function rawMyCnf(l: ReturnType<typeof nodeLayout>, host: string, serverId: number): string {
  fs.mkdirSync(l.filesDir, { recursive: true });
  const wiring = { datadir: l.datadir, socket: l.socket, pidFile: l.pidFile, logError: l.errorLog, tmpdir: l.tmpdir };
  const text = renderInitialMyCnf(
    { ...wiring, secureFilePriv: l.filesDir, pluginDir: SYSTEM_PLUGIN_DIR, bindAddress: host, port: 3306, serverId },
    256,
  );
  return process.getuid?.() === 0 ? `${text}\n[mysqld]\nuser = root\n` : text;
}

/** Raw MariaDB: mariadb-install-db + mariadbd start until a login works, with the same my.cnf Mariner writes. */
async function rawOnce(i: number): Promise<number> {
  const base = path.join(dataDir, "nodes", `raw-${i}`);
  fs.mkdirSync(path.join(base, "tmp"), { recursive: true });
  const l = nodeLayout(base);
  const host = "127.0.0.250";
  fs.writeFileSync(l.cnf, rawMyCnf(l, host, 9000 + i));
  const t0 = performance.now();
  execFileSync(
    "mariadb-install-db",
    [`--defaults-file=${l.cnf}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
    { stdio: "ignore" },
  );
  const child = spawn("mariadbd", [`--defaults-file=${l.cnf}`], { detached: true, stdio: "ignore" });
  child.unref();
  for (;;) {
    try {
      const c = await mysql.createConnection({ socketPath: l.socket, user: "root", password: "" });
      await c.end();
      break;
    } catch {
      await sleep(15);
    }
  }
  const ms = performance.now() - t0;
  process.kill(child.pid!, "SIGTERM");
  while (isOurProcess(child.pid, l.cnf)) await sleep(20);
  fs.rmSync(base, { recursive: true, force: true });
  return ms;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

try {
  process.env.MARINER_ADMIN_PASSWORD = "bench-password";
  await ensureAdmin(() => {});
  const admin = await db().user.findFirstOrThrow();
  const actor = { id: admin.id, email: admin.email, role: "admin" as const };

  await rawOnce(99); // warm the page cache for both sides
  // The first create of a version initialises its pristine data directory; every later one copies it.
  const tFirst = performance.now();
  await retryingAddressRace("create first", () => svc.createEnvironment(actor, { name: "first" }));
  const firstCreate = performance.now() - tFirst;
  await svc.deleteEnvironment(actor, "first");
  const raw: number[] = [];
  const console_: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    raw.push(await rawOnce(i));
    let t0 = 0; // the attempt that got its address (a lost race with another console is retried)
    const env = await retryingAddressRace(
      `create bench${i}`,
      () => ((t0 = performance.now()), svc.createEnvironment(actor, { name: `bench${i}` })),
    );
    console_.push(performance.now() - t0);
    await sleep(300);
    rss.push(rssMb(env.nodes[0].pid!));
  }
  for (let i = 0; i < RUNS; i++) await svc.deleteEnvironment(actor, `bench${i}`);

  // The article's walk-through (service layer, same code the API calls): two environments → replicating → database on slave.
  const w0 = performance.now();
  await Promise.all(
    ["wmaster", "wslave"].map((name) =>
      retryingAddressRace(`create ${name}`, () => svc.createEnvironment(actor, { name })),
    ),
  );
  const { content } = await cfg.getConfig(actor, "wmaster");
  await cfg.saveConfig(actor, "wmaster", {
    content: setServerOptions(content, { "log-bin": "mysql-bin", "binlog-format": "mixed" }),
  });
  await rep.addReplicationUser(actor, "wmaster", { user: "repl", password: "bench-repl" });
  await rep.configureMaster(actor, "wslave", { masterEnvironment: "wmaster", user: "repl", password: "bench-repl" });
  await rep.controlSlave(actor, "wslave", { action: "full-start" });
  await sqlSvc.runSql(actor, "wmaster", { statement: "CREATE DATABASE Jelastic" });
  while (!(await sqlSvc.databases(actor, "wslave")).includes("Jelastic")) await sleep(5);
  const walkthrough = performance.now() - w0;

  const canary = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await rep.checkReplication(actor, "wmaster")).slaves[0].ms ?? NaN);
    return out;
  };
  const idle = await canary(30);
  // Under a write load: a second connection inserting rows on the master as fast as it can.
  const conn = await svc.connectionDetails(actor, "wmaster");
  const writer = await mysql.createConnection({
    host: conn.host,
    port: conn.port,
    user: "root",
    password: conn.password,
  });
  await writer.query("CREATE TABLE Jelastic.load (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(200))");
  let writing = true;
  let written = 0;
  const load = (async () => {
    while (writing) {
      await writer.query("INSERT INTO Jelastic.load (pad) VALUES (REPEAT('x', 200))");
      written++;
    }
  })();
  const t0load = performance.now();
  const loaded = await canary(30);
  writing = false;
  await load;
  const writesPerSecond = written / ((performance.now() - t0load) / 1000);
  await writer.end();
  for (const name of ["wmaster", "wslave"]) await svc.deleteEnvironment(actor, name);

  // Topology: seeded slave of a ~50 MB master, switchover read-only window, failover after SIGKILL.
  await retryingAddressRace("create big", () => svc.createEnvironment(actor, { name: "big", memoryMb: 512 }));
  await rep.enableBinlog(actor, "big");
  const big = await svc.connectionDetails(actor, "big");
  const bigConn = await mysql.createConnection({
    host: big.host,
    port: big.port,
    user: "root",
    password: big.password,
  });
  await bigConn.query("CREATE DATABASE data");
  await bigConn.query("CREATE TABLE data.t (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(255))");
  await bigConn.query("INSERT INTO data.t (pad) SELECT REPEAT(MD5(seq), 7) FROM data.seq_1_to_200000");
  await bigConn.query("ANALYZE TABLE data.t");
  // An application account (seeded slaves get it too): what a client writing through the writer endpoint uses.
  await bigConn.query("CREATE USER bench_app@'%' IDENTIFIED BY 'bench-app-pass'");
  await bigConn.query("GRANT SELECT, INSERT ON data.* TO bench_app@'%'");
  const [[size]] = (await bigConn.query(
    "SELECT SUM(data_length + index_length) / 1048576 AS mb FROM information_schema.TABLES WHERE table_schema = 'data'",
  )) as unknown as [{ mb: number }[]];
  await bigConn.end();
  const tSeed = performance.now();
  await (
    await topo.beginAddSlaves(actor, "big", { count: 1 })
  ).done;
  const seedMs = performance.now() - tSeed;
  // Backups of the same master, taken from its paused slave; restore into a new environment.
  const tBackup = performance.now();
  const backup = await (await backupsSvc.beginBackup(actor, "big")).done;
  const backupMs = performance.now() - tBackup;
  const tRestore = performance.now();
  await (
    await backupsSvc.beginRestore(actor, backup.id, { name: "bigrestore" })
  ).done;
  const restoreMs = performance.now() - tRestore;
  await svc.deleteEnvironment(actor, "bigrestore");
  // TLS vs plain replication latency on the same pair.
  const canaryBig = async () => {
    const xs: number[] = [];
    for (let i = 0; i < 20; i++) xs.push((await rep.checkReplication(actor, "big")).slaves[0].ms ?? NaN);
    return median(xs);
  };
  const plainCanary = await canaryBig();
  await tlsSvc.setReplicationTls(actor, "big-slave-1", { enabled: true });
  const tlsCanary = await canaryBig();
  await tlsSvc.setReplicationTls(actor, "big-slave-1", { enabled: false });

  await (
    await topo.beginAddSlaves(actor, "big", { count: 1 })
  ).done;
  // A client writes through the writer endpoint in a loop across three switchovers: its longest pause is what
  // an application sees.
  const ep = await endpointsSvc.createEndpoints(actor, "big", {});
  const [writerHost, writerPort] = ep.writer.split(":");
  const viaWriter = () =>
    mysql.createConnection({
      host: writerHost,
      port: Number(writerPort),
      user: "bench_app",
      password: "bench-app-pass",
      connectTimeout: 1000,
    });
  const client = { stop: false, ok: 0, failed: 0, longestMs: 0 };
  const loop = (async () => {
    let c: mysql.Connection | null = null;
    let last = performance.now();
    while (!client.stop) {
      try {
        c ??= await viaWriter();
        await c.query("INSERT INTO data.t (pad) VALUES ('through the writer endpoint')");
        const now = performance.now();
        client.longestMs = Math.max(client.longestMs, now - last);
        last = now;
        client.ok++;
      } catch {
        client.failed++;
        c?.destroy();
        c = null;
        await sleep(5);
      }
    }
    c?.destroy();
  })();
  const readOnly: number[] = [];
  let master = "big";
  for (const next of ["big-slave-1", "big", "big-slave-1"]) {
    readOnly.push((await (await topo.beginSwitchover(actor, master, { candidate: next })).done).readOnlyMs);
    master = next;
  }
  client.stop = true;
  await loop;
  const doomed = await svc.getEnvironment(actor, master);
  process.kill(doomed.nodes[0].pid!, "SIGKILL");
  const tFail = performance.now();
  // SIGKILL → the writer endpoint answers from a writable server that is not the dead master.
  const writerSwitched = (async () => {
    for (;;) {
      const answer = await viaWriter()
        .then(async (c) => {
          const [[r]] = (await c.query("SELECT @@server_id AS id, @@read_only AS ro")) as unknown as [
            { id: number; ro: number }[],
          ];
          c.destroy();
          return r;
        })
        .catch(() => null);
      if (answer && Number(answer.id) !== doomed.nodes[0].serverId && Number(answer.ro) === 0)
        return performance.now() - tFail;
      await sleep(5);
    }
  })();
  await sleep(100);
  const failed = await (await topo.beginFailover(actor, master, {})).done;
  const failoverMs = performance.now() - tFail;
  const writerSwitchMs = await writerSwitched;
  await endpointsSvc.deleteEndpoints(actor, ep.name);
  for (const name of ["big", "big-slave-1", "big-slave-2"])
    await svc.deleteEnvironment(actor, name).catch(() => undefined);

  // Docker runtime (when an engine runs: npm run engines -- start a): console create vs the raw container start
  // of the same image with the same my.cnf (install-db + mariadbd in the container until a login works).
  const dockerRows: { figure: string; value: number; baseline: number | null; unit: string; goal: string }[] = [];
  const endpoint = process.env.MARINER_BENCH_DOCKER ?? "unix:///run/mariner-docker/a/docker.sock";
  const { DockerDriver, dockerClient, DEFAULT_IMAGE } = await import("../lib/runtime/docker");
  const probe = new DockerDriver({ name: "bench", endpoint });
  if ((await probe.health()).ok) {
    const hostsSvc = await import("../lib/runtime/hosts");
    await hostsSvc.registerHost(actor, { name: "bench", endpoint });
    const docker = dockerClient(endpoint);
    const rawDocker: number[] = [];
    const consoleDocker: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const base = path.join(dataDir, "nodes", `rawdocker-${i}`);
      fs.mkdirSync(path.join(base, "tmp"), { recursive: true });
      const l = nodeLayout(base);
      fs.writeFileSync(l.cnf, rawMyCnf(l, "127.0.0.251", 9100 + i));
      const t0 = performance.now();
      const c = await docker.createContainer({
        Image: DEFAULT_IMAGE,
        Cmd: [
          "sh",
          "-c",
          `mariadb-install-db --defaults-file='${l.cnf}' --auth-root-authentication-method=normal --skip-test-db >/dev/null 2>&1; exec mariadbd --defaults-file='${l.cnf}'`,
        ],
        HostConfig: { NetworkMode: "host", Binds: [`${base}:${base}`] },
      });
      await c.start();
      for (;;) {
        try {
          const conn = await mysql.createConnection({ socketPath: l.socket, user: "root", password: "" });
          await conn.end();
          break;
        } catch {
          await sleep(15);
        }
      }
      rawDocker.push(performance.now() - t0);
      await c.remove({ force: true });
      fs.rmSync(base, { recursive: true, force: true });
      const t1 = performance.now();
      await svc.createEnvironment(actor, { name: `dock${i}`, runtime: "docker", host: "bench" });
      consoleDocker.push(performance.now() - t1);
      await svc.deleteEnvironment(actor, `dock${i}`);
    }
    await hostsSvc.removeHost(actor, "bench");
    dockerRows.push(...(await (await import("./remote")).remoteHostRows(actor, dataDir, RUNS)));
    dockerRows.push(...(await (await import("./swarm")).swarmRows(actor, dataDir, RUNS)));
    dockerRows.push({
      figure: "environment create → accepting connections (docker), median",
      value: median(consoleDocker),
      baseline: median(rawDocker),
      unit: "ms",
      goal: "≤ 1.25× raw",
    });
  }

  const dataFigures = await (await import("./data")).dataRows(actor, dataDir, RUNS);
  const physicalFigures = await (await import("./physical")).physicalRows(actor, dataDir);
  const galeraFigures = await (await import("./galera")).galeraRows(actor, dataDir);
  const durabilityFigures = await (
    await import("./durability")
  ).durabilityRows(actor, Number(process.env.BENCH_FAILOVERS ?? 20));

  // Status of many real nodes, fetched concurrently (a real login each).
  const NODES = Number(process.env.BENCH_NODES ?? 100);
  const names = Array.from({ length: NODES }, (_, i) => `many${i}`);
  for (let i = 0; i < names.length; i += 8)
    await Promise.all(
      names
        .slice(i, i + 8)
        .map((name) => retryingAddressRace(`create ${name}`, () => svc.createEnvironment(actor, { name }))),
    );
  const all = await svc.listEnvironments(actor);
  const refresh: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const statuses = await liveStatuses(all);
    refresh.push(performance.now() - t0);
    if ([...statuses.values()].filter((s) => s?.state === "running").length !== NODES)
      throw new Error("not every node answered");
  }
  for (let i = 0; i < names.length; i += 8)
    await Promise.all(names.slice(i, i + 8).map((name) => svc.deleteEnvironment(actor, name)));

  await stopNodesUnder(dataDir);
  // A console that dies under the load is a finding, not a reason to lose every other figure of the run.
  const { rows: http, chunks } = await httpBench().catch((e: Error) => {
    console.error(`HTTP bench failed: ${e.message}`);
    return {
      rows: [
        {
          figure: `HTTP figures: FAILED (${e.message.slice(0, 120)})`,
          value: NaN,
          baseline: null,
          unit: "",
          goal: "—",
          failed: e.message,
        },
      ],
      chunks: {},
    };
  });

  const rows = [
    {
      figure: "environment create → accepting connections (local, from the pristine copy), median",
      value: median(console_),
      baseline: median(raw),
      unit: "ms",
      goal: "≤ 0.6× raw",
    },
    {
      figure: "first environment create of this run (initialises the pristine copy with mariadb-install-db)",
      value: firstCreate,
      baseline: median(raw),
      unit: "ms",
      goal: "—",
    },
    ...dockerRows,
    {
      figure: "RSS of an idle 256 MB-profile node, median",
      value: median(rss),
      baseline: null,
      unit: "MB",
      goal: "≤ 90 MB",
    },
    {
      figure: "article walk-through (2 environments → replicating → database on slave)",
      value: walkthrough,
      baseline: null,
      unit: "ms",
      goal: "≤ 8000 ms",
    },
    { figure: "canary master→slave p50, idle", value: median(idle), baseline: null, unit: "ms", goal: "≤ 10 ms" },
    { figure: "canary master→slave p95, idle", value: p95(idle), baseline: null, unit: "ms", goal: "—" },
    {
      figure: `canary master→slave p50, under ${Math.round(writesPerSecond)} inserts/s`,
      value: median(loaded),
      baseline: null,
      unit: "ms",
      goal: "≤ 10 ms",
    },
    { figure: "canary master→slave p95, under write load", value: p95(loaded), baseline: null, unit: "ms", goal: "—" },
    {
      figure: `status refresh of ${NODES} real nodes (concurrent logins), median`,
      value: median(refresh),
      baseline: null,
      unit: "ms",
      goal: "≤ 500 ms",
    },
    {
      figure: `Add slave: seeded slave of a ${Number(size.mb).toFixed(0)} MB master, ready and replicating`,
      value: seedMs,
      baseline: null,
      unit: "ms",
      goal: "—",
    },
    {
      figure: `backup of the ${Number(size.mb).toFixed(0)} MB master from its paused slave (${(backup.sizeBytes / 1048576).toFixed(1)} MB gzip)`,
      value: backupMs,
      baseline: null,
      unit: "ms",
      goal: "—",
    },
    {
      figure: "restore of that backup into a new environment",
      value: restoreMs,
      baseline: null,
      unit: "ms",
      goal: "—",
    },
    {
      figure: "canary master→slave p50 with TLS replication (vs plain, same pair)",
      value: tlsCanary,
      baseline: plainCanary,
      unit: "ms",
      goal: "—",
    },
    {
      figure: "switchover read-only window, median of 3",
      value: median(readOnly),
      baseline: null,
      unit: "ms",
      goal: "—",
    },
    {
      figure: `failover after SIGKILL (triggered 100 ms later) → operation done: new master writable, slaves repointed, ${failed.lostTransactions} lost`,
      value: failoverMs,
      baseline: null,
      unit: "ms",
      goal: "≤ 5000 ms",
    },
    {
      figure: "failover after SIGKILL → writer endpoint answers from the new master",
      value: writerSwitchMs,
      baseline: null,
      unit: "ms",
      goal: "≤ 5000 ms",
    },
    {
      figure: `longest pause of a client writing through the writer endpoint across 3 switchovers (${client.ok} writes, ${client.failed} failed attempts retried)`,
      value: client.longestMs,
      baseline: null,
      unit: "ms",
      goal: "—",
    },
    ...dataFigures,
    ...physicalFigures,
    ...galeraFigures,
    ...durabilityFigures,
    ...http,
  ];
  const results = {
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      mariadb: execFileSync("mariadbd", ["--version"]).toString().trim(),
    },
    runs: RUNS,
    samples: { raw, console: console_, rss, canaryIdle: idle, canaryLoaded: loaded },
    // The chunks each page loads first (what its first-load JS figure adds up): pages differ by their own chunks.
    firstLoadChunks: chunks,
    rows: rows.map((r) => ({ ...r, ratio: r.baseline && Number.isFinite(r.value) ? r.value / r.baseline : null })),
  };
  fs.writeFileSync("bench/results.json", JSON.stringify(results, null, 2) + "\n");
  const md = renderMarkdown(results.rows);
  fs.writeFileSync("bench/results.md", md + "\n");
  console.log(md);
} finally {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
