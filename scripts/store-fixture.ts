// npm run store:fixture -- [--until MIGRATION]: writes test/fixtures/stores/<last migration>.sql, a store of this
// version filled with one of everything (users, tokens, environments on each runtime, nodes, revisions, backups,
// policies, alerts, hosts, endpoints). Run it at each release and commit the file: test/unit/upgrade.test.ts
// migrates every kept fixture to the current schema and checks that no row was lost or changed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { dumpStore } from "../lib/db/dump";
import { applyMigrations, migrationNames } from "../lib/db/migrate";

const untilIndex = process.argv.indexOf("--until");
const until = untilIndex > 0 ? process.argv[untilIndex + 1] : undefined;
const source = path.resolve("prisma/migrations");
const migrations = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-fixture-migrations-"));
const names = migrationNames(source).filter((n) => !until || n <= until);
for (const n of names) fs.cpSync(path.join(source, n), path.join(migrations, n), { recursive: true });
const file = path.join(migrations, "store.db");
applyMigrations(file, migrations);
const db = new Database(file);

const t0 = Date.parse("2026-11-20T10:00:00Z");
// As Prisma writes DateTime into SQLite.
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString().replace("Z", "+00:00");
/** Inserts the columns this schema has (older schemas lack newer ones). */
function put(table: string, row: Record<string, unknown>) {
  const columns = new Set((db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name));
  if (!columns.size) return;
  const keys = Object.keys(row).filter((k) => columns.has(k));
  db.prepare(
    `INSERT INTO "${table}" (${keys.map((k) => `"${k}"`).join(",")}) VALUES (${keys.map(() => "?").join(",")})`,
  ).run(...keys.map((k) => (typeof row[k] === "boolean" ? (row[k] ? 1 : 0) : row[k])));
}

// Password hashes and encrypted secrets are opaque here: what matters is that they come back byte for byte.
const hash = "$2b$10$fixturefixturefixturefixturefixturefixturefixturefixtu";
put("User", { id: "u-admin", email: "admin@mariner.local", passwordHash: hash, role: "admin", createdAt: at(0) });
put("User", {
  id: "u-dev",
  email: "dev@example.com",
  passwordHash: hash,
  role: "user",
  maxEnvironments: 5,
  maxMemoryMb: 4096,
  createdAt: at(1),
});
put("ApiToken", {
  id: "t-ci",
  userId: "u-dev",
  name: "ci",
  tokenHash: "a".repeat(64),
  prefix: "mrn_abcd",
  createdAt: at(2),
  lastUsedAt: at(30),
});
put("ApiToken", {
  id: "t-old",
  userId: "u-dev",
  name: "old",
  tokenHash: "b".repeat(64),
  prefix: "mrn_efgh",
  createdAt: at(3),
  revokedAt: at(4),
});
put("DockerHost", {
  id: "h-a",
  name: "a",
  kind: "engine",
  endpoint: "unix:///run/mariner-docker/a/docker.sock",
  image: "mariner/mariadb:10.11",
  createdAt: at(5),
});
put("DockerHost", {
  id: "h-remote",
  name: "remote",
  kind: "engine",
  endpoint: "tcp://10.231.0.2:2376",
  advertisedAddress: "10.231.0.2",
  tlsCaEnc: "v1.ca",
  tlsCertEnc: "v1.cert",
  tlsKeyEnc: "v1.key",
  createdAt: at(6),
});
const environments = [
  { id: "e-master", name: "shop", runtime: "local", serverId: 1, host: "127.0.0.2", port: 3306 },
  { id: "e-slave", name: "shop-replica", runtime: "docker:a", serverId: 2, host: "127.0.0.3", port: 3306 },
  { id: "e-remote", name: "reports", runtime: "docker:remote", serverId: 3, host: "10.231.0.2", port: 3307 },
  { id: "e-galera-1", name: "kv-1", runtime: "local", serverId: 4, host: "127.0.0.5", port: 3306, galera: "g-kv" },
];
put("GaleraCluster", {
  id: "g-kv",
  name: "kv",
  ownerId: "u-dev",
  clusterName: "mariner-kv-0a1b2c3d",
  sstUser: "mariner_sst",
  sstPasswordEnc: "v1.iv.tag.sst-password",
  status: "running",
  createdAt: at(9),
});
for (const [i, e] of environments.entries()) {
  put("Environment", {
    id: e.id,
    name: e.name,
    ownerId: "u-dev",
    runtime: e.runtime,
    engineVersion: "10.11.14-MariaDB",
    memoryMb: 512,
    desiredState: "running",
    status: "running",
    statusAt: at(10 + i),
    autoFailover: i === 0,
    failoverGraceSec: 5, // before 20261204030000_semi_sync
    failoverConfirmMs: 5000,
    semiSync: i === 0,
    semiSyncTimeoutMs: 1500,
    semiSyncState: i === 0 ? "active" : null,
    semiSyncSince: i === 0 ? at(15) : null,
    failoverPolicyRevision: i === 0 ? 1 : 0,
    failoverPolicyBy: i === 0 ? "dev@example.com" : null,
    desiredSlaves: i === 0 ? 1 : 0,
    keptBy: i === 1 ? "e-master" : null,
    observedMaster: i === 1 ? environments[0].name : null,
    galeraClusterId: e.galera ?? null,
    galeraIndex: e.galera ? 1 : null,
    createdAt: at(10 + i),
    updatedAt: at(20 + i),
  });
  put("Node", {
    id: `n-${e.name}`,
    environmentId: e.id,
    role: "primary",
    host: e.host,
    port: e.port,
    serverId: e.serverId,
    baseDir: e.runtime === "local" ? `/var/lib/mariner/nodes/n-${e.name}` : null,
    containerId: e.runtime === "local" ? null : `${e.serverId}`.repeat(64).slice(0, 64),
    pid: e.runtime === "local" ? 4242 : null,
    rootPasswordEnc: `v1.iv${i}.tag${i}.root-password-${e.name}`,
    startedAt: at(11 + i),
    createdAt: at(10 + i),
  });
  for (const [r, result] of ["applied", "rolled-back", "applied"].entries())
    put("ConfigRevision", {
      id: `r-${e.name}-${r}`,
      environmentId: e.id,
      content: `[mysqld]\nserver-id = ${e.serverId}\nmax_connections = ${100 + r}\n`,
      author: "dev@example.com",
      result,
      message: result === "rolled-back" ? "server did not start" : null,
      createdAt: at(12 + r),
    });
}
put("ReplicationAccount", {
  id: "ra-shop",
  environmentId: "e-master",
  user: "repl",
  passwordEnc: "v1.iv.tag.repl",
  createdAt: at(13),
});
put("Operation", {
  id: "o-add-slave",
  userId: "u-dev",
  action: "add-slave",
  environmentId: "e-master",
  target: "shop",
  params: '{"count":1}',
  steps: '[{"name":"seed","status":"done"}]',
  status: "succeeded",
  startedAt: at(14),
  finishedAt: at(15),
});
put("LagSample", { id: "l-1", environmentId: "e-slave", at: at(16), secondsBehind: 0, canaryMs: 12.5 });
put("Backup", {
  id: "b-1",
  environmentId: "e-master",
  environmentName: "shop",
  ownerId: "u-dev",
  sourceName: "shop-replica",
  method: "mariadb-dump",
  file: "backups/b-1.sql.gz",
  sizeBytes: 123456,
  sha256: "c".repeat(64),
  gtidPosition: "0-1-42",
  binlogFile: "mysql-bin.000002",
  binlogPos: 1234,
  status: "succeeded",
  scheduled: true,
  contents: '{"shop.orders":3}',
  checksums: '{"shop.orders":"987"}',
  verification: "verified",
  verifiedAt: at(18),
  startedAt: at(17),
  finishedAt: at(17.5),
});
put("Backup", {
  id: "b-2",
  environmentId: "e-master",
  environmentName: "shop",
  ownerId: "u-dev",
  sourceName: "shop-replica",
  method: "physical copy (mariadb-backup) of slave shop-replica with its SQL thread paused",
  format: "xbstream",
  file: "backups/b-2.xbstream.gz",
  sizeBytes: 654321,
  sha256: "d".repeat(64),
  gtidPosition: "0-1-43",
  status: "succeeded",
  scheduled: false,
  startedAt: at(19),
  finishedAt: at(19.5),
});
put("BinlogArchive", {
  id: "ba-1",
  ownerId: "u-dev",
  environmentId: "e-master",
  masterId: "e-master",
  eras: JSON.stringify([{ masterId: "e-master", name: "shop", since: at(19) }]),
  enabled: 1,
  state: "streaming from shop (mysql-bin.000002)",
  stateAt: at(20),
  createdAt: at(19),
});
put("ArchivedBinlog", {
  id: "ab-1",
  archiveId: "ba-1",
  segment: "e-master-1",
  sourceEnvironmentId: "e-master",
  sourceName: "shop",
  serverId: 1,
  fileName: "mysql-bin.000002",
  path: "binlog-archive/ba-1/e-master-1/mysql-bin.000002",
  sizeBytes: 4096,
  startState: "0-1-41",
  endState: "0-1-44",
  firstEventAt: at(19.1),
  lastEventAt: at(19.9),
  createdAt: at(19.1),
  updatedAt: at(20),
});
put("BackupPolicy", {
  environmentId: "e-master",
  schedule: "0 3 * * *",
  keepLast: 7,
  keepDays: 30,
  verifySchedule: "0 4 * * 0",
  revision: 2,
  updatedBy: "dev@example.com",
  updatedAt: at(19),
});
put("AlertRule", {
  id: "ar-lag",
  environmentId: "e-slave",
  kind: "lag",
  thresholdSec: 30,
  forSec: 60,
  webhookUrl: "https://hooks.example.com/x",
  createdAt: at(20),
});
put("Alert", {
  id: "a-1",
  ruleId: "ar-lag",
  environmentId: "e-slave",
  message: "lag 45 s for 60 s",
  firedAt: at(21),
  clearedAt: at(22),
});
put("ProxyEndpoint", {
  id: "p-shop",
  ownerId: "u-dev",
  name: "shop",
  master: "shop",
  host: "127.0.0.9",
  writerPort: 3306,
  readerPort: 3307,
  runtime: "local",
  createdAt: at(23),
});
put("DatabaseSizeSample", { id: "d-1", environmentId: "e-master", database: "shop", at: at(24), bytes: 16384 });
put("RetiredNode", { id: "n-gone", runtime: "docker:remote", retiredAt: at(25) });

const out = path.resolve("test/fixtures/stores", `${names.at(-1)}.sql`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  `-- A store made by Mariner at schema ${names.at(-1)} (scripts/store-fixture.ts).\n${dumpStore(db)}`,
);
db.close();
fs.rmSync(migrations, { recursive: true, force: true });
console.log(`wrote ${path.relative(process.cwd(), out)}`);
