// Physical data movement on real servers: Add slave / Clone / Re-seed by mariadb-backup streams of a ~200 MB
// master under writes, a copy cut short, and instant provisioning from a pristine data directory.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor, until } from "../support/harness";
import type { Actor } from "../../lib/auth/actor";

const dataDir = useTempDataDir("physical");
const svc = await import("../../lib/environments/service");
const rep = await import("../../lib/environments/replication");
const topo = await import("../../lib/topology");
const { resolveCopyMethod } = await import("../../lib/topology/physical");
const backups = await import("../../lib/backups/service");
const { setDockerHosts } = await import("../../lib/runtime");
const { db } = await import("../../lib/db/client");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { nodeLayout } = await import("../../lib/runtime/layout");
const { startMonitor, stopMonitor } = await import("../../lib/monitoring/watch");

let actor: Actor;

async function q<T = Record<string, unknown>>(name: string, sql: string, values?: unknown[]): Promise<T[]> {
  const d = await svc.connectionDetails(actor, name);
  const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  try {
    return (await c.query(sql, values))[0] as T[];
  } finally {
    await c.end();
  }
}
const checksums = async (name: string) =>
  (await q<{ Table: string; Checksum: number }>(name, "CHECKSUM TABLE big.rows_, big.writes")).map(
    (r) => `${r.Table}=${r.Checksum}`,
  );
const gtid = async (name: string) => (await q<{ p: string }>(name, "SELECT @@gtid_current_pos AS p"))[0].p;
const steps = async (operationId: string) =>
  (JSON.parse((await db().operation.findUniqueOrThrow({ where: { id: operationId } })).steps) as { name: string }[])
    .map((s) => s.name)
    .join("\n");

/** Inserts rows on the master until stopped: a copy taken meanwhile must still end up equal. */
function writer(name: string) {
  let stop = false;
  let n = 0;
  const done = (async () => {
    const d = await svc.connectionDetails(actor, name);
    const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
    while (!stop) {
      await c.query("INSERT INTO big.writes (v) VALUES (?)", [`w${n}`]);
      n++;
    }
    await c.end();
  })();
  return {
    stop: async () => {
      stop = true;
      await done;
      return n;
    },
  };
}

/** Until `slave` executed everything `master` wrote, then both tables compared by checksum. */
async function assertEqualTo(master: string, slave: string) {
  const target = await gtid(master);
  assert.equal(
    await until(
      () => gtid(slave),
      (p) => p === target,
      60_000,
    ),
    target,
    `${slave} caught up with ${master}`,
  );
  assert.deepEqual(await checksums(slave), await checksums(master), `${slave} holds exactly ${master}'s rows`);
}

/** A tool placed in front of the real one for this process (the console reads the variable at each use). */
function withFaultyTool(variable: string, script: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-tool-fault-"));
  fs.chmodSync(dir, 0o755); // the tools run as the servers' own uids
  const file = path.join(dir, "tool");
  fs.writeFileSync(file, `#!/bin/bash\n# Test fault (physical.test.ts)\n${script}\n`);
  fs.chmodSync(file, 0o755); // explicitly: the console's umask keeps new files private
  process.env[variable] = file;
  return () => {
    delete process.env[variable];
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

before(async () => {
  process.env.MARINER_RESTART_POLICY = "never";
  actor = await adminActor();
  await svc.createEnvironment(actor, { name: "big", memoryMb: 1024 });
  await rep.enableBinlog(actor, "big");
  await q("big", "CREATE DATABASE big");
  await q("big", "CREATE TABLE big.rows_ (id INT PRIMARY KEY, v VARCHAR(255)) ENGINE=InnoDB");
  await q("big", "CREATE TABLE big.writes (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
  // ~200 MB on disk: 800k rows of ~200 bytes, in slices so no single transaction outgrows the redo log.
  for (let i = 0; i < 8; i++)
    await q(
      "big",
      `INSERT INTO big.rows_ SELECT seq, REPEAT(MD5(seq), 6) FROM big.seq_${i * 100_000 + 1}_to_${(i + 1) * 100_000}`,
    );
  await q("big", "CREATE USER app@'%' IDENTIFIED BY 'app-password'");
  await q("big", "GRANT SELECT ON big.* TO app@'%'");
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("instant provisioning: later environments start from a pristine copy only the console can read", async () => {
  const pristine = path.join(dataDir, "pristine");
  const keys = fs.readdirSync(pristine).filter((k) => !k.startsWith("."));
  assert.ok(keys.length >= 1, `a pristine data directory was kept (${keys.join(", ")})`);
  const st = fs.statSync(pristine);
  assert.equal(st.mode & 0o077, 0, "no server uid can read the pristine copies");
  assert.equal(st.uid, process.getuid!());
  await svc.createEnvironment(actor, { name: "fresh1" });
  await svc.createEnvironment(actor, { name: "fresh2" });
  const [a, b] = [await svc.connectionDetails(actor, "fresh1"), await svc.connectionDetails(actor, "fresh2")];
  assert.notEqual(a.password, b.password, "each server has its own root password");
  await assert.rejects(
    mysql.createConnection({ host: b.host, port: b.port, user: "root", password: a.password }),
    /Access denied/,
  );
  for (const name of ["fresh1", "fresh2"]) {
    const users = await q<{ u: string }>(name, "SELECT CONCAT(User, '@', Host) AS u FROM mysql.user ORDER BY 1");
    assert.deepEqual(
      users.map((r) => r.u),
      ["mariadb.sys@localhost", "root@127.0.0.1", "root@::1", "root@localhost"],
    );
    const [id] = await q<{ id: number }>(name, "SELECT @@server_id AS id");
    assert.equal(Number(id.id), (await svc.getEnvironment(actor, name)).nodes[0].serverId);
  }
  await svc.deleteEnvironment(actor, "fresh1");
  await svc.deleteEnvironment(actor, "fresh2");
});

test("Add slave under writes: a physical copy of the 200 MB master, rows and checksums equal, replicating", async () => {
  const w = writer("big");
  const t0 = Date.now();
  const { operationId, done } = await topo.beginAddSlaves(actor, "big", { count: 2 });
  const result = await done;
  const written = await w.stop();
  console.log(`2 slaves of a 200 MB master by physical copy in ${Date.now() - t0} ms (${written} writes meanwhile)`);
  assert.ok(written > 0, "the master took writes during the copy");
  const log = await steps(operationId);
  assert.match(log, /physical copy \(mariadb-backup\) of big into big-slave-1, big-slave-2/);
  assert.match(log, /copied \d+\.\d MB into each slave; replication continues after GTID \d+-\d+-\d+/);
  for (const s of result.slaves) {
    await assertEqualTo("big", s);
    assert.equal((await rep.replicationStatus(actor, s)).health.state, "running");
    assert.equal(Number((await q<{ ro: number }>(s, "SELECT @@read_only AS ro"))[0].ro), 1);
    // The copy brings the application accounts; root has the slave's own password (q logs in with it).
    assert.equal((await q(s, "SELECT 1 FROM mysql.user WHERE User = 'app'")).length, 1);
  }
  const big = await svc.connectionDetails(actor, "big");
  const slave = await svc.connectionDetails(actor, "big-slave-1");
  await assert.rejects(
    mysql.createConnection({ host: slave.host, port: slave.port, user: "root", password: big.password }),
    /Access denied/,
    "the master's root password does not open the slave",
  );
  const dirs = fs.readdirSync(path.join(dataDir, "nodes"));
  assert.ok(!dirs.some((d) => /previous/.test(d)), "no copy left behind");
});

test("Re-seed from a healthy sibling: a diverged slave gets the master's data back and rejoins", async () => {
  await q("big-slave-2", "SET SESSION sql_log_bin = 0");
  await q("big-slave-2", "STOP SLAVE");
  const d = await svc.connectionDetails(actor, "big-slave-2");
  const c = await mysql.createConnection({ host: d.host, port: d.port, user: "root", password: d.password });
  await c.query("SET SESSION sql_log_bin = 0");
  await c.query("DELETE FROM big.rows_ WHERE id <= 1000"); // diverged: rows the master has are gone here
  await c.end();
  // The monitor runs with restarts on, as in a console: it must leave a server whose data is being replaced alone.
  process.env.MARINER_RESTART_POLICY = "always";
  startMonitor(100);
  try {
    const { operationId, done } = await topo.beginReseed(actor, "big-slave-2");
    assert.equal((await done).method, "physical");
    assert.match(
      await steps(operationId),
      /physical copy \(mariadb-backup\) of big-slave-1 \(a healthy slave of big\)/,
    );
  } finally {
    stopMonitor();
    process.env.MARINER_RESTART_POLICY = "never";
  }
  const restarts = await db().operation.count({ where: { action: "environment.auto-restart" } });
  assert.equal(restarts, 0, "no automatic restart raced the copy");
  await q("big", "INSERT INTO big.writes (v) VALUES ('after re-seed')");
  await assertEqualTo("big", "big-slave-2");
});

test("Clone (standalone) by physical copy: same data, its own root, no replication, no position", async () => {
  const { done } = await topo.beginClone(actor, "big", { name: "bigcopy" });
  await done;
  assert.deepEqual(await checksums("bigcopy"), await checksums("big"));
  assert.equal((await rep.replicationStatus(actor, "bigcopy")).slave, null);
  assert.equal((await q<{ p: string }>("bigcopy", "SELECT @@gtid_slave_pos AS p"))[0].p, "");
  await svc.deleteEnvironment(actor, "bigcopy");
});

test("a physical copy cut short: Add slave refused with the tool's lines, nothing half-made", async () => {
  const before = (await svc.listEnvironments(actor)).length;
  // The real backup, its stream cut after 20 MB, exiting 0 as if complete.
  const restore = withFaultyTool(
    "MARINER_MARIADB_BACKUP",
    'if [[ " $* " == *" --backup "* ]]; then /usr/bin/mariadb-backup "$@" | head -c 20000000; exit 0; fi\nexec /usr/bin/mariadb-backup "$@"',
  );
  try {
    const { done } = await topo.beginAddSlaves(actor, "big", { count: 1, namePrefix: "cut", method: "physical" });
    await assert.rejects(done, (e: Error & { lines?: string[] }) => {
      assert.match(e.message, /Physical copy of big(-slave-\d)? failed/);
      assert.ok((e.lines ?? []).length > 0, `the tool's own lines are shown: ${e.message}`);
      return true;
    });
  } finally {
    restore();
  }
  assert.equal((await svc.listEnvironments(actor)).length, before, "the new slave was removed again");
});

test("a re-seed whose copy fails keeps the slave's data and runs it again", async () => {
  const before = await checksums("big-slave-2");
  const restore = withFaultyTool("MARINER_MBSTREAM", 'echo "mbstream: simulated disk full" >&2; exit 5');
  try {
    const { done } = await topo.beginReseed(actor, "big-slave-2");
    await assert.rejects(done, (e: Error & { lines?: string[] }) => {
      assert.match(e.message, /Physical copy of .* failed: mbstream -x failed \(exit 5\)/);
      assert.deepEqual(e.lines, ["mbstream: simulated disk full"]);
      return true;
    });
  } finally {
    restore();
  }
  assert.deepEqual(await checksums("big-slave-2"), before, "its previous data is back and it answers");
});

test("a backup that stops streaming (a source blocked by a lock) is stopped after the stall time, nothing half-made", async () => {
  const before = (await svc.listEnvironments(actor)).length;
  // The source side says nothing at all, as a mariadb-backup waiting on a tenant's lock would.
  const restore = withFaultyTool(
    "MARINER_MARIADB_BACKUP",
    'if [[ " $* " == *" --backup "* ]]; then exec sleep 30; fi\nexec /usr/bin/mariadb-backup "$@"',
  );
  process.env.MARINER_BACKUP_STALL_MS = "2000";
  const t0 = Date.now();
  try {
    const { done } = await topo.beginAddSlaves(actor, "big", { count: 1, namePrefix: "held" });
    await assert.rejects(done, (e: Error & { lines?: string[] }) => {
      assert.match(e.message, /mariadb-backup --backup wrote nothing for 2 s and was stopped/);
      assert.match((e.lines ?? []).join("\n"), /blocked/);
      return true;
    });
  } finally {
    delete process.env.MARINER_BACKUP_STALL_MS;
    restore();
  }
  assert.ok(Date.now() - t0 < 20_000, "given up on after the stall time, not the tool's 30 s");
  assert.equal((await svc.listEnvironments(actor)).length, before);
});

test("a console that died while a copy replaced a data directory: the next start puts the old data back", async () => {
  const env = await svc.getEnvironment(actor, "big-slave-2");
  const before = await checksums("big-slave-2");
  const l = nodeLayout(env.nodes[0].baseDir!);
  await svc.environmentAction(actor, "big-slave-2", { action: "stop" });
  // What receive() leaves when the console is killed during mbstream: old data aside, a partial copy in place.
  fs.renameSync(l.datadir, `${l.datadir}.previous`);
  fs.mkdirSync(l.datadir);
  fs.writeFileSync(path.join(l.datadir, "ibdata1"), "partial");
  await svc.environmentAction(actor, "big-slave-2", { action: "start" });
  assert.deepEqual(await checksums("big-slave-2"), before);
  assert.equal(fs.existsSync(`${l.datadir}.previous`), false);
});

test("a physical copy that the runtime cannot make is refused up front; logical stays available", async () => {
  setDockerHosts([{ name: "nowhere", endpoint: "unix:///nonexistent/docker.sock" }]);
  const docker = { ...(await svc.getEnvironment(actor, "big")), name: "elsewhere", runtime: "docker:nowhere" };
  assert.throws(
    () => resolveCopyMethod("physical", [docker]),
    /No physical copy: elsewhere runs on the docker:nowhere runtime/,
  );
  assert.equal(resolveCopyMethod(undefined, [docker]).method, "logical");
  const { operationId, done } = await topo.beginAddSlaves(actor, "big", {
    count: 1,
    namePrefix: "dump",
    method: "logical",
  });
  const { slaves } = await done;
  assert.match(await steps(operationId), /logical copy \(mariadb-dump\), as asked/);
  await assertEqualTo("big", slaves[0]);
  await assert.rejects(topo.beginAddSlaves(actor, "big", { count: 1, method: "rsync" }), /Copy method must be/);
});

test("physical backup from the paused slave: read back, restored equal (new, as a slave, over one), verified", async () => {
  const t0 = Date.now();
  const taken = await (await backups.beginBackup(actor, "big")).done;
  const row = await db().backup.findUniqueOrThrow({ where: { id: taken.id } });
  console.log(
    `physical backup of the 200 MB master: ${Date.now() - t0} ms, ${(row.sizeBytes! / 1048576).toFixed(1)} MB`,
  );
  assert.equal(row.format, "xbstream");
  assert.match(row.method, /^physical copy \(mariadb-backup\) of slave \S+ with its SQL thread paused$/);
  assert.match(row.file, /\.xbstream\.gz$/);
  assert.match(row.gtidPosition ?? "", /^\d+-\d+-\d+/);
  assert.ok(JSON.parse(row.contents!)["big.rows_"] > 700_000, "row counts recorded while the slave was paused");
  assert.match(JSON.parse(row.checksums!)["big.rows_"], /^\d+$/);

  const t1 = Date.now();
  await (
    await backups.beginRestore(actor, row.id, { name: "bigback" })
  ).done;
  console.log(`physical restore into a new environment: ${Date.now() - t1} ms`);
  assert.deepEqual(await checksums("bigback"), await checksums("big"), "nothing was written since the backup");
  const verdict = await backups.verifyBackup(actor, row.id);
  assert.match(verdict.text, /verified: \d+ tables, \d+ rows and checksums match/);

  await q("big", "INSERT INTO big.writes (v) VALUES ('after the backup')");
  await (
    await backups.beginRestore(actor, row.id, { name: "bigback2", asSlave: true })
  ).done;
  await assertEqualTo("big", "bigback2");

  // Over an existing environment without slaves: its data becomes the backup's, its root password stays its own.
  await q("bigback", "CREATE DATABASE scratch");
  await (
    await backups.beginRestore(actor, row.id, { name: "bigback", overwrite: true, confirm: "bigback" })
  ).done;
  const databases = (await q<{ d: string }>("bigback", "SELECT schema_name AS d FROM information_schema.schemata")).map(
    (r) => r.d,
  );
  assert.ok(!databases.includes("scratch") && databases.includes("big"), databases.join());
  // Over one with slaves: they would not follow a physical restore.
  await assert.rejects(
    backups.beginRestore(actor, row.id, { name: "big", overwrite: true, confirm: "big" }),
    /big has slaves, which would not follow a physical restore/,
  );
  for (const name of ["bigback", "bigback2"]) await svc.deleteEnvironment(actor, name);
});

test("a damaged physical backup is refused before anything is created", async () => {
  const row = (await backups.listBackups(actor, "big")).find((b) => b.format === "xbstream")!;
  const fd = fs.openSync(row.file, "r+");
  const at = Math.floor(row.sizeBytes! / 2);
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, at);
  fs.writeSync(fd, Buffer.from([byte[0] ^ 0xff]), 0, 1, at);
  fs.closeSync(fd);
  const before = (await svc.listEnvironments(actor)).length;
  await assert.rejects(backups.beginRestore(actor, row.id, { name: "broken" }), (e: Error & { status?: number }) => {
    assert.match(e.message, /cannot be read back|SHA-256 no longer matches/);
    return true;
  });
  assert.equal((await svc.listEnvironments(actor)).length, before);
});
