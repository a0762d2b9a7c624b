// Physical data movement: Add slave of a ~1 GB InnoDB master (mariadb-backup stream) against the same copy made
// by hand on this machine (mariadb-backup --backup --stream | mbstream -x, --prepare, mariadbd start), and against
// the dump-based Add slave on the same data.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import mysql from "mysql2/promise";
import type { Actor } from "../lib/auth/actor";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sh(script: string, env: Record<string, string> = {}) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err = (err + d).slice(-2000)));
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`${script}: ${code}\n${err}`))));
  });
}

/** The copy by hand: stream, unpack, prepare, start as root on a my.cnf of its own, until root logs in. */
async function rawCopy(source: { cnf: string; socket: string; password: string }, dir: string, host: string) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  fs.mkdirSync(path.join(dir, "tmp"));
  const cnf = path.join(dir, "my.cnf");
  const socket = path.join(dir, "raw.sock");
  fs.writeFileSync(
    cnf,
    [
      "[mysqld]",
      `datadir = ${dir}/data`,
      `socket = ${socket}`,
      `pid-file = ${dir}/raw.pid`,
      `log-error = ${dir}/error.log`,
      `tmpdir = ${dir}/tmp`,
      `bind-address = ${host}`,
      "port = 3306",
      "server-id = 4242",
      "skip-name-resolve = ON",
      "innodb_buffer_pool_size = 256M",
      "innodb_log_file_size = 128M",
      "user = root",
      "",
    ].join("\n"),
  );
  const t0 = performance.now();
  await sh(
    `mariadb-backup --defaults-file=${source.cnf} --backup --stream=xbstream --user=root --socket=${source.socket} --target-dir=${dir}/tmp | mbstream -x -C ${dir}/data`,
    { MYSQL_PWD: source.password },
  );
  await sh(`mariadb-backup --prepare --target-dir=${dir}/data`);
  const child = spawn("mariadbd", [`--defaults-file=${cnf}`], { detached: true, stdio: "ignore" });
  child.unref();
  for (;;) {
    try {
      await (await mysql.createConnection({ socketPath: socket, user: "root", password: source.password })).end();
      break;
    } catch {
      await sleep(15);
    }
  }
  const ms = performance.now() - t0;
  process.kill(child.pid!, "SIGTERM");
  while (fs.existsSync(`/proc/${child.pid}`)) await sleep(20);
  fs.rmSync(dir, { recursive: true, force: true });
  return ms;
}

export async function physicalRows(actor: Actor, dataDir: string) {
  const svc = await import("../lib/environments/service");
  const rep = await import("../lib/environments/replication");
  const topo = await import("../lib/topology");
  const { nodeLayout } = await import("../lib/runtime/layout");
  const targetMb = Number(process.env.BENCH_PHYSICAL_MB ?? 1024);
  await svc.createEnvironment(actor, { name: "phys", memoryMb: 2048 });
  await rep.enableBinlog(actor, "phys");
  const d = await svc.connectionDetails(actor, "phys");
  const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  await c.query("CREATE DATABASE gen");
  await c.query("CREATE TABLE gen.t (id INT PRIMARY KEY, pad VARCHAR(1000)) ENGINE=InnoDB");
  // ~1.1 kB per row on disk; slices of 100k rows so no transaction outgrows the redo log.
  const rows = Math.round((targetMb * 1024 * 1024) / 1100);
  for (let from = 1; from <= rows; from += 100_000)
    await c.query(
      `INSERT INTO gen.t SELECT seq, REPEAT(MD5(seq), 30) FROM gen.seq_${from}_to_${Math.min(rows, from + 99_999)}`,
    );
  await c.query("ANALYZE TABLE gen.t");
  const [[size]] = (await c.query(
    "SELECT SUM(data_length + index_length) / 1048576 AS mb FROM information_schema.TABLES WHERE table_schema = 'gen'",
  )) as unknown as [{ mb: number }[]];
  await c.end();
  const source = (await svc.getEnvironment(actor, "phys")).nodes[0];
  const l = nodeLayout(source.baseDir!);
  const raw = await rawCopy(
    { cnf: l.cnf, socket: l.socket, password: d.password },
    path.join(dataDir, "rawcopy"),
    "127.0.0.249",
  );
  const t0 = performance.now();
  await (
    await topo.beginAddSlaves(actor, "phys", { count: 1, namePrefix: "physical", method: "physical" })
  ).done;
  const physical = performance.now() - t0;
  // BENCH_PHYSICAL_ONLY=1: the physical figure alone (no dump path, no PITR), for a quick look.
  const only = process.env.BENCH_PHYSICAL_ONLY === "1";
  const t1 = performance.now();
  if (!only)
    await (
      await topo.beginAddSlaves(actor, "phys", { count: 1, namePrefix: "logical", method: "logical" })
    ).done;
  const logical = performance.now() - t1;
  for (const name of only ? ["physical-1"] : ["physical-1", "logical-1"]) await svc.deleteEnvironment(actor, name);
  const pitr = only ? null : await pitrRow(actor, Number(size.mb));
  await svc.deleteEnvironment(actor, "phys");
  const mb = Number(size.mb).toFixed(0);
  return [
    ...(pitr ? [pitr] : []),
    {
      figure: `Add slave of a ${mb} MB InnoDB master, physical (ready and replicating) vs raw mariadb-backup | mbstream + prepare + start`,
      value: physical,
      baseline: raw,
      unit: "ms",
      goal: "≤ 1.3× raw",
    },
    {
      figure: `Add slave of the same ${mb} MB master, logical (mariadb-dump) vs physical`,
      value: logical,
      baseline: physical,
      unit: "ms",
      goal: "—",
    },
  ];
}

/**
 * PITR of the same master after minutes of paced writes (BENCH_PITR_SECONDS, default 600, at BENCH_PITR_RATE
 * transactions/s): a backup, the archive streaming meanwhile, then "Restore to" 30 s (at most a quarter of the
 * run) before the last write. The restored rows are compared with the source's rows up to that second.
 */
async function pitrRow(actor: Actor, sizeMb: number) {
  const svc = await import("../lib/environments/service");
  const backups = await import("../lib/backups/service");
  const { startArchiver, stopArchiver } = await import("../lib/backups/binlog-archive");
  const seconds = Number(process.env.BENCH_PITR_SECONDS ?? 600);
  const rate = Number(process.env.BENCH_PITR_RATE ?? 200);
  await backups.setBinlogArchive(actor, "phys", { enabled: true });
  startArchiver(500);
  try {
    await (
      await backups.beginBackup(actor, "phys")
    ).done;
    const d = await svc.connectionDetails(actor, "phys");
    const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
    await c.query("CREATE TABLE gen.w (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME NOT NULL, v INT)");
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < seconds * 1000) {
      await c.query("INSERT INTO gen.w (at, v) VALUES (NOW(), ?)", [n++]);
      const ahead = n / rate - (Date.now() - t0) / 1000;
      if (ahead > 0) await sleep(ahead * 1000);
    }
    const [[last]] = (await c.query("SELECT MAX(at) AS at FROM gen.w")) as unknown as [{ at: Date }[]];
    const before = Math.min(30, Math.floor(seconds / 4));
    const target = new Date(last.at.getTime() - before * 1000).toISOString().slice(0, 19).replace("T", " ");
    const expect = async (conn: mysql.Connection) =>
      (
        (await conn.query(`SELECT COUNT(*) AS n, SUM(v) AS s FROM gen.w WHERE at <= ?`, [target])) as unknown as [
          { n: number; s: string }[],
        ]
      )[0][0];
    const want = await expect(c);
    await c.end();
    for (let i = 0; i < 120; i++) {
      const view = await backups.pointInTimeView(actor, "phys");
      if (view?.to && view.to.getTime() >= last.at.getTime()) break;
      await sleep(500);
    }
    const t1 = performance.now();
    const { done } = await backups.beginPointInTimeRestore(actor, "phys", { name: "phys-then", time: target });
    const result = await done;
    const ms = performance.now() - t1;
    const r = await svc.connectionDetails(actor, "phys-then");
    const rc = await mysql.createConnection({ host: r.host, port: r.port, user: "root", password: r.password });
    const got = await expect(rc);
    const [[all]] = (await rc.query("SELECT COUNT(*) AS n FROM gen.w")) as unknown as [{ n: number }[]];
    await rc.end();
    await svc.deleteEnvironment(actor, "phys-then");
    const equal =
      Number(got.n) === Number(want.n) && String(got.s) === String(want.s) && Number(all.n) === Number(got.n);
    return {
      figure: `point-in-time restore of the ${sizeMb.toFixed(0)} MB master + ${Math.round(seconds / 60)} min of writes (${n} transactions) to ${before} s before the last: ${result.transactions} replayed, rows ${equal ? "equal" : "DIFFERENT"} at the target`,
      value: ms,
      baseline: null,
      unit: "ms",
      goal: "rows equal",
    };
  } finally {
    stopArchiver();
  }
}
