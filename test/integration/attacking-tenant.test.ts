// The attacking tenant: an ordinary user, root on their own server, tries to reach the console's files, the host's
// and another tenant's, through SQL, my.cnf and planted links. Every probe must be refused AND change nothing; the
// table of probes and results is printed at the end. Real mariadbd servers, real files, real uids.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";

const dataDir = useTempDataDir("attack");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const { runSql } = await import("../../lib/environments/sql");
const { createUser } = await import("../../lib/auth/users");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { identityOf } = await import("../../lib/runtime/identity");
const { nodeLayout } = await import("../../lib/runtime/layout");
const { ServiceError } = await import("../../lib/errors");
const { databaseFile, secretKeyFile, authSecretFile } = await import("../../lib/paths");
const { authSecret } = await import("../../lib/secrets");
import type { Actor } from "../../lib/auth/actor";

const isolated = process.getuid?.() === 0;
const table: { probe: string; result: string; refused: boolean }[] = [];
let mallory: Actor;
let victim: Actor;
let cage: { baseDir: string; host: string; port: number };
let victimDir: string;

const record = (probe: string, refused: boolean, result: string) => table.push({ probe, refused, result });

before(async () => {
  const admin = await adminActor();
  authSecret(); // the session-signing key exists, as in a running console
  mallory = await createUser(admin, { email: "mallory@example.test", password: "mallory-password" });
  victim = await createUser(admin, { email: "victim@example.test", password: "victim-password" });
  const [mine, theirs] = await Promise.all([
    svc.createEnvironment(mallory, { name: "cage" }),
    svc.createEnvironment(victim, { name: "victim" }),
  ]);
  cage = { baseDir: mine.nodes[0].baseDir!, host: mine.nodes[0].host!, port: mine.nodes[0].port! };
  victimDir = theirs.nodes[0].baseDir!;
  await svc.environmentAction(victim, "victim", { action: "stop" }); // its files are at rest: readable if anything is
  await sql("CREATE DATABASE loot");
  await sql("CREATE TABLE loot.k (line TEXT)");
});

after(async () => {
  console.log("\nAttacking-tenant probes (every one must be refused):");
  for (const row of table) console.log(`  ${row.refused ? "refused" : "SUCCEEDED"}  ${row.probe}  →  ${row.result}`);
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function sql(statement: string) {
  const r = await runSql(mallory, "cage", { statement });
  if (r.kind === "error") throw new Error(r.message);
  return r;
}

const rowsInLoot = async () => {
  const r = await sql("SELECT COUNT(*) FROM loot.k");
  return r.kind === "rows" ? Number(r.rows[0][0]) : NaN;
};

test(
  "the server runs as its own unprivileged uid; its directory is its own",
  { skip: !isolated && "needs root to switch uids" },
  async () => {
    const pid = (await svc.getEnvironment(mallory, "cage")).nodes[0].pid!;
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    const identity = identityOf(cage.baseDir)!;
    assert.ok(identity && uid === identity.uid && uid !== 0, `mariadbd runs as uid ${uid}`);
    assert.notEqual(identityOf(victimDir)!.uid, uid, "two tenants never share a uid");
    assert.equal(fs.statSync(cage.baseDir).mode & 0o777, 0o700);
    assert.equal(/^Groups:\s*$/m.test(status), true, "no supplementary groups");
    const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
    assert.ok(
      !env.some((e) => e.startsWith("MARINER_") || e.startsWith("NEXTAUTH")),
      `scrubbed environment: ${env.join(" ")}`,
    );
    record("mariadbd process identity", true, `uid ${uid}, no groups, env ${env.length} vars`);

    // The filesystem boundary itself, checked by a process with the server's identity.
    for (const file of [
      databaseFile(),
      secretKeyFile(),
      authSecretFile(),
      path.join(victimDir, "my.cnf"),
      path.join(victimDir, "data", "ibdata1"),
    ]) {
      const r = spawnSync("cat", [file], { uid: identity.uid, gid: identity.gid });
      assert.notEqual(r.status, 0, `uid ${uid} read ${file}`);
      assert.match(r.stderr.toString(), /Permission denied/);
      record(`uid ${uid}: cat ${path.relative(dataDir, file)}`, true, "Permission denied");
    }
  },
);

const SQL_PROBES = () => [
  `LOAD DATA INFILE '/etc/shadow' INTO TABLE loot.k`,
  `LOAD DATA INFILE '${databaseFile()}' INTO TABLE loot.k`,
  `LOAD DATA INFILE '${secretKeyFile()}' INTO TABLE loot.k`,
  `LOAD DATA INFILE '${authSecretFile()}' INTO TABLE loot.k`,
  `LOAD DATA INFILE '${path.join(victimDir, "data", "ibdata1")}' INTO TABLE loot.k`,
  `LOAD DATA INFILE '${path.join(cage.baseDir, "my.cnf")}' INTO TABLE loot.k`,
  `LOAD DATA LOCAL INFILE '${secretKeyFile()}' INTO TABLE loot.k`,
  `INSERT INTO loot.k SELECT LOAD_FILE('${databaseFile()}')`,
  `INSERT INTO loot.k SELECT LOAD_FILE('/etc/passwd')`,
  `INSERT INTO loot.k SELECT LOAD_FILE('${path.join(victimDir, "my.cnf")}')`,
];

test("SQL cannot read the console's store and keys, the host's files or another tenant's data", async () => {
  for (const statement of SQL_PROBES()) {
    const r = await runSql(mallory, "cage", { statement });
    const count = await rowsInLoot();
    const withContent = await sql("SELECT COUNT(line) FROM loot.k"); // LOAD_FILE refused = NULL, not an error
    const got = withContent.kind === "rows" ? Number(withContent.rows[0][0]) : NaN;
    const refused = got === 0 && (r.kind === "error" || statement.includes("LOAD_FILE"));
    record(
      statement,
      refused,
      r.kind === "error" ? `${r.errno ?? ""} ${r.message}` : `${count} row(s), ${got} with content`,
    );
    assert.ok(refused, `${statement}: ${JSON.stringify(r)}`);
    if (r.kind === "error" && !statement.includes("LOCAL"))
      assert.equal(r.errno, 1290, `${statement}: refused by secure-file-priv, not by chance: ${r.message}`);
    await sql("DELETE FROM loot.k");
  }
});

test("SQL cannot write outside the node's files directory; inside it works (so the refusals are the policy)", async () => {
  const outside = [
    path.join("/tmp", `mariner-probe-${process.pid}.txt`),
    path.join(dataDir, "planted.txt"),
    path.join(cage.baseDir, "my.cnf.extra"),
    path.join("/usr/lib/mysql/plugin", `evil-${process.pid}.so`),
  ];
  for (const file of outside) {
    for (const verb of ["OUTFILE", "DUMPFILE"]) {
      const statement = `SELECT 'x' INTO ${verb} '${file}'`;
      const r = await runSql(mallory, "cage", { statement });
      const refused = r.kind === "error" && r.errno === 1290 && !fs.existsSync(file);
      record(statement, refused, r.kind === "error" ? `${r.errno} ${r.message}` : "written");
      assert.ok(refused, `${statement}: ${JSON.stringify(r)}`);
    }
  }
  const mine = path.join(cage.baseDir, "files", "export.txt");
  await sql(`SELECT 'a line' INTO OUTFILE '${mine}'`);
  await sql(`LOAD DATA INFILE '${mine}' INTO TABLE loot.k`);
  assert.equal(await rowsInLoot(), 1, "files/ is usable for LOAD DATA and INTO OUTFILE");
  await sql("DELETE FROM loot.k");
  const r = await sql("SELECT @@secure_file_priv, @@plugin_dir");
  assert.deepEqual(r.kind === "rows" && r.rows[0], [`${path.join(cage.baseDir, "files")}/`, "/usr/lib/mysql/plugin/"]);
});

/** The groups `mariadbd --help --verbose` says it reads, asked of the binary itself. */
function groupsTheServerReads(): string[] {
  const out = spawnSync("/usr/sbin/mariadbd", ["--no-defaults", "--help", "--verbose"], { encoding: "utf8" }).stdout;
  const line = /The following groups are read: (.*)/.exec(out)![1];
  return line.trim().split(/\s+/);
}

const MYCNF_PROBES = () => [
  "skip-grant-tables",
  "loose_enable-skip-grant-tables",
  "skip-networking",
  `plugin-load-add = ${path.join(cage.baseDir, "files", "evil.so")}`,
  "plugin-load-add = evil_not_shipped.so",
  "init-file = /etc/passwd",
  `general-log-file = ${path.join(dataDir, "mariner.db")}`,
  "slow-query-log-file = /etc/cron.d/mariner",
  `log-bin = ${path.join(victimDir, "data", "stolen")}`,
  `ssl-key = ${secretKeyFile()}`,
  `wsrep-provider = ${path.join(cage.baseDir, "files", "evil.so")}`,
  "wsrep-notify-cmd = /bin/sh",
  "skip-bind-address",
  `!include ${secretKeyFile()}`,
  `!includedir ${dataDir}`,
];

test("my.cnf: every probe in every group the server reads is refused with its line, nothing changes", async () => {
  const before = (await cfg.getConfig(mallory, "cage")).content;
  const groups = groupsTheServerReads();
  assert.ok(groups.includes("client-server") && groups.includes("galera"), groups.join(" "));
  for (const group of groups) {
    for (const line of MYCNF_PROBES()) {
      const content = `${before}\n[${group}]\n${line}\n`;
      const err = await cfg.saveConfig(mallory, "cage", { content }).then(
        () => null,
        (e: unknown) => e,
      );
      const refused = err instanceof ServiceError && err.status === 422;
      const detail = refused
        ? String(
            ((err as InstanceType<typeof ServiceError>).details as { problems: { line?: number; message: string }[] })
              .problems[0]?.message,
          )
        : String(err);
      record(`my.cnf [${group}] ${line}`, refused, detail.slice(0, 100));
      assert.ok(refused, `[${group}] ${line}: ${err}`);
      assert.equal((await cfg.getConfig(mallory, "cage")).content, before, "my.cnf unchanged");
    }
  }
});

test("my.cnf: abbreviated option names are caught by asking the binary", async () => {
  const before = (await cfg.getConfig(mallory, "cage")).content;
  const probes = [
    "secure-file-pri = /",
    "init-fil = /etc/passwd",
    "skip-grant-tab",
    // Warnings off silence the abbreviation note; the names must still be full.
    "log-warnings = 0\nwsrep-notify-c = sh -c id",
    "log-warnings = 0\nplugin-di = " + path.join(cage.baseDir, "files"),
    // A value with an escaped line break would forge rows of the variables table.
    'wsrep-sst-donor = "x\\nsecure-file-priv /n/files/"',
    // A line over 4 kB: mariadbd reads the rest as a new line the review never saw.
    `# ${"x".repeat(4091)}skip-grant-tables`,
  ];
  for (const line of probes) {
    const err = await cfg.saveConfig(mallory, "cage", { content: `${before}\n[galera]\n${line}\n` }).then(
      () => null,
      (e: unknown) => e,
    );
    const refused = err instanceof ServiceError && err.status === 422;
    record(
      `my.cnf [galera] ${line.slice(0, 60).replace(/\n/g, " ⏎ ")}`,
      refused,
      refused ? (err as Error).message : String(err),
    );
    assert.ok(refused, `${line}: ${err}`);
    assert.equal((await cfg.getConfig(mallory, "cage")).content, before);
  }
});

test("my.cnf: managed options asked for in other groups are re-asserted; the live server keeps the cage", async () => {
  const before = (await cfg.getConfig(mallory, "cage")).content;
  const hostile = [
    "[client-server]",
    "secure-file-priv =",
    "[galera]",
    "plugin-dir = /tmp",
    "[mariadbd-10.11]",
    "user = root",
    "[server]",
    "datadir = /tmp",
    "[mariadb]",
    "bind-address = 0.0.0.0",
  ].join("\n");
  const saved = await cfg.saveConfig(mallory, "cage", { content: `${before}\n${hostile}\n` }).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(e.details)}`);
  });
  assert.ok(
    saved.notices.some((n) => n.startsWith("secure-file-priv is managed")),
    saved.notices.join("\n"),
  );
  assert.ok(
    saved.notices.some((n) => n.startsWith("user is managed")),
    saved.notices.join("\n"),
  );
  const r = await sql("SELECT @@secure_file_priv, @@plugin_dir, @@datadir, @@bind_address");
  assert.deepEqual(r.kind === "rows" && r.rows[0], [
    `${path.join(cage.baseDir, "files")}/`,
    "/usr/lib/mysql/plugin/",
    `${path.join(cage.baseDir, "data")}/`,
    cage.host,
  ]);
  record(
    "my.cnf managed keys in [client-server]/[galera]/[mariadbd-10.11]/[server]/[mariadb]",
    true,
    "re-asserted; live values unchanged",
  );
});

test("links planted in the node directory are never followed", async () => {
  const l = nodeLayout(cage.baseDir);
  const saved = fs.readFileSync(l.cnf);
  fs.rmSync(l.cnf);
  fs.symlinkSync(secretKeyFile(), l.cnf);
  try {
    const err = await cfg.getConfig(mallory, "cage").then(
      () => null,
      (e: unknown) => e as Error,
    );
    record(
      "my.cnf → secret.key (symlink), Config tab read",
      !!err && /symbolic link/.test(err.message),
      err?.message ?? "read it",
    );
    assert.match(String(err?.message), /my\.cnf is a symbolic link/);
  } finally {
    fs.rmSync(l.cnf);
    fs.writeFileSync(l.cnf, saved);
  }
  const log = fs.readFileSync(l.errorLog);
  fs.rmSync(l.errorLog);
  fs.symlinkSync(authSecretFile(), l.errorLog);
  try {
    const lines = await svc.errorLogTail(mallory, "cage");
    const secret = fs.readFileSync(authSecretFile(), "utf8").trim();
    const leaked = lines.some((x) => x.includes(secret));
    record("error.log → auth.secret (symlink), log tail", !leaked, lines.join(" ").slice(0, 100));
    assert.equal(leaked, false);
    assert.match(lines.join("\n"), /error\.log is a symbolic link/);
  } finally {
    fs.rmSync(l.errorLog);
    fs.writeFileSync(l.errorLog, log);
  }
});
