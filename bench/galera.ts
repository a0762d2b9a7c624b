// Galera: creating a 3-node cluster in the console against the same steps by hand on this machine (install the
// data directories, write each my.cnf with the same wsrep settings, bootstrap the first, start the others and
// wait for Synced), a member's rejoin by IST against its first join by SST, and a full-crash recovery under writes.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import type { Actor } from "../lib/auth/actor";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RAW_HOSTS = ["127.0.0.246", "127.0.0.247", "127.0.0.248"];

async function rawSynced(socket: string): Promise<void> {
  for (;;) {
    try {
      const c = await mysql.createConnection({ socketPath: socket, user: "root" });
      const [rows] = await c.query("SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'");
      await c.end();
      if ((rows as { Value: string }[])[0]?.Value === "Synced") return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
}

/** The cluster by hand, as root: what an operator types, timed from the first install to the third Synced. */
async function byHand(dir: string): Promise<{ ms: number; pids: number[] }> {
  const { galeraOptions } = await import("../lib/galera/settings");
  const members = RAW_HOSTS.map((host, i) => ({ name: `raw-${i + 1}`, host }));
  const t0 = performance.now();
  const pids: number[] = [];
  for (const [i, m] of members.entries()) {
    const base = path.join(dir, m.name);
    fs.mkdirSync(path.join(base, "tmp"), { recursive: true });
    const options = galeraOptions({ clusterName: "raw-bench", sstUser: "sst", sstPassword: "sst-pass-1" }, m, members);
    fs.writeFileSync(
      path.join(base, "my.cnf"),
      [
        "[mysqld]",
        "user = root",
        `datadir = ${base}/data`,
        `socket = ${base}/raw.sock`,
        `pid-file = ${base}/raw.pid`,
        `log-error = ${base}/error.log`,
        `tmpdir = ${base}/tmp`,
        `bind-address = ${m.host}`,
        "port = 3306",
        `server-id = ${9100 + i}`,
        "skip-name-resolve = ON",
        ...Object.entries(options).map(([k, v]) => `${k} = ${v}`),
        "",
      ].join("\n"),
    );
    await run("/usr/bin/mariadb-install-db", [`--defaults-file=${base}/my.cnf`, "--skip-test-db"]);
  }
  for (const [i, m] of members.entries()) {
    const base = path.join(dir, m.name);
    const child = spawn(
      "/usr/sbin/mariadbd",
      [`--defaults-file=${base}/my.cnf`, ...(i === 0 ? ["--wsrep-new-cluster"] : [])],
      { detached: true, stdio: "ignore" },
    );
    child.unref();
    pids.push(child.pid!);
    await rawSynced(`${base}/raw.sock`);
    if (i === 0) {
      const c = await mysql.createConnection({ socketPath: `${base}/raw.sock`, user: "root" });
      await c.query("CREATE USER sst@localhost IDENTIFIED BY 'sst-pass-1'");
      await c.query("GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO sst@localhost");
      await c.end();
    }
  }
  return { ms: performance.now() - t0, pids };
}

export async function galeraRows(actor: Actor, dataDir: string) {
  const galera = await import("../lib/galera");
  const svc = await import("../lib/environments/service");
  const { db } = await import("../lib/db/client");
  const raw = await byHand(path.join(dataDir, "galera-raw"));
  for (const pid of raw.pids) process.kill(pid, "SIGTERM");
  for (const pid of raw.pids) while (fs.existsSync(`/proc/${pid}`)) await sleep(50);

  const t0 = performance.now();
  const { done, operationId } = await galera.beginCreateCluster(actor, { name: "gbench", nodes: 3 });
  await done;
  const create = performance.now() - t0;
  const steps = JSON.parse((await db().operation.findUniqueOrThrow({ where: { id: operationId } })).steps) as {
    name: string;
    at: string;
  }[];
  const at = (re: RegExp) => Date.parse(steps.find((s) => re.test(s.name))!.at);
  const sstJoin = at(/^gbench-2 is Synced/) - at(/^joining gbench-2/);

  // Writes while a member is down, then its rejoin (IST).
  const d = await svc.connectionDetails(actor, "gbench-1");
  const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  await c.query("CREATE DATABASE b");
  await c.query("CREATE TABLE b.t (id INT PRIMARY KEY, pad VARCHAR(200))");
  const pidOf = async (name: string) =>
    (await db().environment.findFirstOrThrow({ where: { name }, include: { nodes: true } })).nodes[0].pid!;
  process.kill(await pidOf("gbench-3"), "SIGKILL");
  for (let i = 1; i <= 2000; i++) await c.query("INSERT INTO b.t VALUES (?, REPEAT('x', 200))", [i]);
  await c.end();
  const t1 = performance.now();
  await (
    await galera.beginRecoverCluster(actor, "gbench")
  ).done;
  const ist = performance.now() - t1;

  // Full crash under writes: every acknowledged write must be there afterwards.
  const acked: number[] = [];
  let stop = false;
  const writer = (async () => {
    const w = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
    for (let id = 10_001; !stop; id++) {
      try {
        await w.query("INSERT INTO b.t VALUES (?, 'crash')", [id]);
        acked.push(id);
      } catch {
        break;
      }
    }
    w.destroy();
  })();
  await sleep(1000);
  for (const name of ["gbench-1", "gbench-2", "gbench-3"]) process.kill(await pidOf(name), "SIGKILL");
  stop = true;
  await writer;
  await sleep(500);
  const t2 = performance.now();
  await (
    await galera.beginRecoverCluster(actor, "gbench")
  ).done;
  const recovery = performance.now() - t2;
  const r = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  const [rows] = await r.query("SELECT id FROM b.t WHERE id > 10000");
  await r.end();
  const present = new Set((rows as { id: number }[]).map((x) => x.id));
  const lost = acked.filter((id) => !present.has(id)).length;
  await galera.deleteCluster(actor, "gbench");
  return [
    {
      figure:
        "Galera cluster create, 3 nodes → all Synced, vs the same steps by hand (install, my.cnf, bootstrap, join)",
      value: create,
      baseline: raw.ms,
      unit: "ms",
      goal: "≤ 1.25× by hand",
    },
    {
      figure: "Galera member rejoin after SIGKILL + 2000 writes (IST) vs its first join (SST, mariabackup)",
      value: ist,
      baseline: sstJoin,
      unit: "ms",
      goal: "< SST",
    },
    {
      figure: `Galera full-crash recovery (3 members SIGKILLed under writes): ${lost} of ${acked.length} acknowledged writes lost`,
      value: recovery,
      baseline: null,
      unit: "ms",
      goal: "0 lost",
    },
  ];
}
