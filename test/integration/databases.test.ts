import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("databases");
process.env.MARINER_RESTART_POLICY = "never";
process.env.MARINER_IMPORT_MAX_MB = "60"; // the 50 MB dump fits; the bomb below does not
const svc = await import("../../lib/environments/service");
const rep = await import("../../lib/environments/replication");
const topo = await import("../../lib/topology");
const data = await import("../../lib/data/databases");
const accounts = await import("../../lib/data/accounts");
const imports = await import("../../lib/data/import");
const { exportDatabases } = await import("../../lib/data/export");
const { getOperation } = await import("../../lib/operations");
const { databaseChecksums } = await import("../../lib/mariadb/databases");
const { ServiceError } = await import("../../lib/errors");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
const scratch = path.join(dataDir, "scratch");

async function login(name: string, user = "root", password?: string, database?: string) {
  const c = await svc.connectionDetails(actor, name);
  return mysql.createConnection({
    host: c.host,
    port: c.port,
    user,
    password: password ?? c.password,
    database,
    connectTimeout: 3000,
  });
}

async function query(name: string, statement: string) {
  const c = await login(name);
  try {
    return (await c.query(statement))[0] as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

/** The service's refusal: its HTTP status and code, or a failure when it did not refuse. */
async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof ServiceError) return { status: e.status, code: e.code, message: e.message, lines: e.lines };
    throw e;
  }
  assert.fail("expected a refusal");
}

const webStream = (file: string) => Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;

before(async () => {
  actor = await adminActor();
  fs.mkdirSync(scratch, { recursive: true });
  await svc.createEnvironment(actor, { name: "shop" });
  await svc.createEnvironment(actor, { name: "other" });
  await rep.enableBinlog(actor, "shop");
  await (
    await topo.beginAddSlaves(actor, "shop", { count: 1 })
  ).done;
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("databases: created on the master with its collation, listed with size and tables, followed by the slave; hostile names and slaves refused", async () => {
  const made = await data.createDatabase(actor, "shop", { name: "app", charset: "utf8mb4", collation: "utf8mb4_bin" });
  assert.deepEqual(made, { name: "app", charset: "utf8mb4", collation: "utf8mb4_bin" });
  await query("shop", "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20))");
  await query("shop", "INSERT INTO app.t VALUES (1, 'one')");
  const listed = (await data.listDatabases(actor, "shop")).items.find((d) => d.name === "app")!;
  assert.equal(listed.collation, "utf8mb4_bin");
  assert.equal(listed.tables, 1);
  assert.ok(listed.bytes > 0, "InnoDB reports a size");
  await waitFor(async () => (await data.listDatabases(actor, "shop-slave-1")).items.some((d) => d.name === "app"), {
    what: "the slave to have app",
  });

  const before = (await data.listDatabases(actor, "shop")).items.map((d) => d.name);
  for (const [input, status] of [
    [{ name: "mysql" }, 400],
    [{ name: "mariner_canary" }, 400],
    [{ name: "a`; DROP DATABASE app; --" }, 400],
    [{ name: "-x" }, 400],
    [{ name: "x".repeat(65) }, 400],
    [{ name: "ok1", collation: "latin1_bogus" }, 400],
    [{ name: "ok2", charset: "utf8mb4", collation: "latin1_swedish_ci" }, 400],
    [{ name: "app" }, 409],
  ] as const)
    assert.equal((await refusal(data.createDatabase(actor, "shop", input))).status, status, JSON.stringify(input));
  const onSlave = await refusal(data.createDatabase(actor, "shop-slave-1", { name: "x" }));
  assert.equal(onSlave.code, "is_slave");
  assert.match(onSlave.message, /on its master, and every slave gets it/);
  assert.deepEqual(
    (await data.listDatabases(actor, "shop")).items.map((d) => d.name),
    before,
    "nothing created",
  );

  await data.createDatabase(actor, "shop", { name: "scrap" });
  assert.equal((await refusal(data.dropDatabase(actor, "shop", { name: "scrap", confirm: "scra" }))).status, 400);
  await data.dropDatabase(actor, "shop", { name: "scrap", confirm: "scrap" });
  assert.ok(!(await data.listDatabases(actor, "shop")).items.some((d) => d.name === "scrap"));

  await data.sampleDatabaseSizes(await svc.getEnvironment(actor, "shop"));
  assert.ok((await data.sizeHistory(actor, "shop")).app?.length, "a size sample for app");
});

test("an application account with read-write on one database: writes there and nothing else; same on the slave; password, lock and drop take effect; the console's accounts are protected", async () => {
  await data.createDatabase(actor, "shop", { name: "secret" });
  await query("shop", "CREATE TABLE secret.s (id INT)");
  const made = await accounts.createAccount(actor, "shop", {
    user: "app_rw",
    grants: [{ database: "app", level: "read-write" }],
  });
  assert.ok(made.password && made.password.length >= 20, "a generated password is returned once");
  assert.deepEqual(made.statements, [
    "CREATE USER 'app_rw'@'%' IDENTIFIED BY '•••'",
    "GRANT SELECT, SHOW VIEW, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE ON `app`.* TO 'app_rw'@'%'",
  ]);
  const listed = (await accounts.listAccounts(actor, "shop")).items;
  const app = listed.find((a) => a.user === "app_rw")!;
  assert.deepEqual(
    app.databases.map((d) => [d.database, d.level]),
    [["app", "read-write"]],
  );
  assert.equal(listed.find((a) => a.user === "root")!.kind, "console");

  const c = await login("shop", "app_rw", made.password!);
  const attempt = async (what: string, sql: string) => {
    const outcome = await c.query(sql).then(
      () => "allowed",
      (e: { code: string }) => `refused (${e.code})`,
    );
    return { what, sql, outcome };
  };
  const checks = [
    await attempt("write its database", "INSERT INTO app.t VALUES (2, 'two')"),
    await attempt("read its database", "SELECT * FROM app.t"),
    await attempt("read another database", "SELECT * FROM secret.s"),
    await attempt("create a database", "CREATE DATABASE evil"),
    await attempt("DDL in its database", "CREATE TABLE app.u (id INT)"),
    await attempt("FILE: read a server file", "SELECT LOAD_FILE('/etc/passwd') IS NOT NULL INTO @x"),
    await attempt("FILE: write a file", "SELECT 1 INTO OUTFILE '/tmp/mariner-app-rw'"),
    await attempt("SUPER: SET GLOBAL", "SET GLOBAL read_only = 1"),
    await attempt("create users", "CREATE USER x@'%'"),
    await attempt("read mysql.user", "SELECT * FROM mysql.global_priv"),
  ];
  await c.end();
  console.table(checks);
  assert.deepEqual(
    checks.map((x) => x.outcome.split(" ")[0]),
    ["allowed", "allowed", "refused", "refused", "refused", "allowed", "refused", "refused", "refused", "refused"],
  );
  // LOAD_FILE without FILE returns NULL rather than failing: the file must not have been read.
  const c2 = await login("shop", "app_rw", made.password!);
  const [[loaded]] = (await c2.query("SELECT LOAD_FILE('/etc/passwd') AS f")) as unknown as [{ f: unknown }[]];
  assert.equal(loaded.f, null, "LOAD_FILE read nothing");
  await c2.end();

  const onSlave = await waitFor(() => login("shop-slave-1", "app_rw", made.password!, "app"), {
    what: "app_rw to log in on the slave",
  });
  const [rows] = await onSlave.value.query("SELECT COUNT(*) AS n FROM t");
  assert.equal(Number((rows as { n: number }[])[0].n), 2);
  await onSlave.value.end();

  await accounts.changePassword(actor, "shop", { user: "app_rw", password: "a-new-password-123" });
  await assert.rejects(login("shop", "app_rw", made.password!), /Access denied/);
  await (await login("shop", "app_rw", "a-new-password-123")).end();
  await accounts.lockAccount(actor, "shop", { user: "app_rw", locked: true });
  await assert.rejects(login("shop", "app_rw", "a-new-password-123"), /locked/);
  assert.equal((await accounts.listAccounts(actor, "shop")).items.find((a) => a.user === "app_rw")!.locked, true);
  await accounts.lockAccount(actor, "shop", { user: "app_rw", locked: false });
  const grant = await accounts.setGrant(actor, "shop", { user: "app_rw", database: "app", level: "read-only" });
  assert.deepEqual(grant.statements, [
    "REVOKE ALL PRIVILEGES ON `app`.* FROM 'app_rw'@'%'",
    "GRANT SELECT, SHOW VIEW ON `app`.* TO 'app_rw'@'%'",
  ]);
  // A grant made by hand WITH GRANT OPTION reads as custom; lowering it to nothing revokes the option too.
  await query("shop", "GRANT SELECT ON `secret`.* TO 'app_rw'@'%' WITH GRANT OPTION");
  const custom = (await accounts.listAccounts(actor, "shop")).items.find((a) => a.user === "app_rw")!;
  assert.equal(custom.databases.find((d) => d.database === "secret")!.level, "custom");
  const revoked = await accounts.setGrant(actor, "shop", { user: "app_rw", database: "secret", level: "none" });
  assert.deepEqual(revoked.statements, [
    "REVOKE GRANT OPTION ON `secret`.* FROM 'app_rw'@'%'",
    "REVOKE ALL PRIVILEGES ON `secret`.* FROM 'app_rw'@'%'",
  ]);
  const after = (await accounts.listAccounts(actor, "shop")).items.find((a) => a.user === "app_rw")!;
  assert.deepEqual(
    after.databases.map((d) => d.database),
    ["app"],
  );
  const ro = await login("shop", "app_rw", "a-new-password-123");
  await assert.rejects(ro.query("INSERT INTO app.t VALUES (3, 'x')"), /denied/);
  await ro.end();

  await rep.addReplicationUser(actor, "shop", { user: "repl", password: "repl-pass-123" });
  for (const [call, status] of [
    [() => accounts.changePassword(actor, "shop", { user: "root" }), 400],
    [() => accounts.dropAccount(actor, "shop", { user: "mariner_repl" }), 400],
    [() => accounts.dropAccount(actor, "shop", { user: "repl" }), 403],
    [() => accounts.setGrant(actor, "shop", { user: "repl", database: "app", level: "all" }), 403],
    [() => accounts.createAccount(actor, "shop", { user: "x'@'%' IDENTIFIED BY 'p" }), 400],
    [() => accounts.createAccount(actor, "shop", { user: "x", host: "%' OR '1" }), 400],
    [() => accounts.createAccount(actor, "shop", { user: "x", grants: [{ database: "nope", level: "all" }] }), 404],
    [() => accounts.createAccount(actor, "shop", { user: "x", password: "short" }), 400],
    [() => accounts.createAccount(actor, "shop-slave-1", { user: "x" }), 409],
  ] as const)
    assert.equal((await refusal(call())).status, status, String(call));
  assert.ok(!(await accounts.listAccounts(actor, "shop")).items.some((a) => a.user === "x"), "nothing half-created");

  await accounts.dropAccount(actor, "shop", { user: "app_rw" });
  await assert.rejects(login("shop", "app_rw", "a-new-password-123"), /Access denied/);
});

/** A dump of `rows` rows (~110 bytes each) of one table, made by mariadb-dump on `shop`. */
async function bigDump(rows: number, gz: boolean): Promise<string> {
  await query("shop", "CREATE DATABASE IF NOT EXISTS gen");
  await query("shop", "DROP TABLE IF EXISTS gen.big");
  await query("shop", "CREATE TABLE gen.big (id INT PRIMARY KEY, v VARCHAR(200))");
  await query("shop", `INSERT INTO gen.big SELECT seq, REPEAT(MD5(seq), 3) FROM gen.seq_1_to_${rows}`);
  const c = await svc.connectionDetails(actor, "shop");
  const out = spawnSync("mariadb-dump", ["-h", c.host, "-P", String(c.port), "-uroot", "--single-transaction", "gen"], {
    env: { ...process.env, MYSQL_PWD: c.password },
    maxBuffer: 1 << 30,
  });
  assert.equal(out.status, 0, String(out.stderr));
  const file = path.join(scratch, `big-${rows}.sql${gz ? ".gz" : ""}`);
  fs.writeFileSync(file, gz ? zlib.gzipSync(out.stdout) : out.stdout);
  return file;
}

test("import: a 50 MB dump streamed in with progress and replicated; a hostile dump refused by line with nothing created; a failing one leaves nothing; cancel drops what was loaded", async () => {
  const file = await bigDump(490_000, false);
  const size = fs.statSync(file).size;
  assert.ok(size > 50 * 1024 * 1024, `the dump is ${size} bytes`);
  const started = await imports.beginImport(
    actor,
    "shop",
    { database: "loaded", fileName: "big.sql" },
    webStream(file),
  );
  const seen = new Set<string>();
  const watch = setInterval(
    async () => (await getOperation(started.operationId))?.steps.forEach((s) => seen.add(s.name)),
    200,
  );
  const t0 = Date.now();
  const result = await started.done.finally(() => clearInterval(watch));
  console.log(
    `import: ${(size / 1024 / 1024).toFixed(1)} MB in ${Date.now() - t0} ms, ${result.statements} statements`,
  );
  const op = (await getOperation(started.operationId))!;
  assert.equal(op.status, "succeeded");
  assert.match(op.steps.at(-1)!.name, /^Loaded 5\d\.\d MB, \d+ statements/);
  assert.ok(
    [...seen].some((s) => /^Loading: [\d.]+ MB of 5\d\.\d MB \(\d+%\)/.test(s)),
    [...seen].join("\n"),
  );
  const [[n]] = [await query("shop", "SELECT COUNT(*) AS n FROM loaded.big")];
  assert.equal(Number(n.n), 490_000);
  await waitFor(
    async () => Number((await query("shop-slave-1", "SELECT COUNT(*) AS n FROM loaded.big"))[0].n) === 490_000,
    {
      what: "the slave to have the imported rows",
      timeoutMs: 120_000,
    },
  );

  // Hostile: account and server administration statements, refused with their lines before anything runs.
  const hostile = path.join(scratch, "hostile.sql");
  fs.writeFileSync(
    hostile,
    [
      "CREATE TABLE t (id INT);",
      "INSERT INTO t VALUES (1);",
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' IDENTIFIED BY 'x';",
      "SET GLOBAL read_only = 0;",
      "INSERT INTO mysql.global_priv VALUES ('%', 'evil', '{}');",
      "CREATE DATABASE elsewhere;",
      "",
    ].join("\n"),
  );
  const refused = await refusal(imports.beginImport(actor, "shop", { database: "hostile" }, webStream(hostile)));
  assert.equal(refused.code, "unsafe_dump");
  assert.deepEqual(
    refused.lines.map((l) => l.split(":")[0]),
    ["line 3", "line 4", "line 5", "line 6"],
  );
  assert.ok(!(await data.listDatabases(actor, "shop")).items.some((d) => d.name === "hostile"), "nothing created");

  // What a line-start scanner misses, the temporary loading account cannot do: each fails on the server, and the
  // database the import created is gone again. LOAD DATA LOCAL is refused by the client itself.
  const [[before]] = [await query("shop", "SELECT @@max_connections AS m")];
  const sneaky: [string, RegExp][] = [
    [
      "CREATE TABLE t (id INT);\n  INSERT INTO app.t VALUES (99, 'x');\n",
      /INSERT command denied to user 'mariner_load_/,
    ],
    ["CREATE TABLE t (id INT); SET GLOBAL max_connections = 7;\n", /need .*SUPER/],
    [
      "CREATE TABLE t (id INT);\r\nUSE mysql;\r\nDELETE FROM global_priv;\r\n",
      /Access denied for user 'mariner_load_\w+'@'%' to database 'mysql'/,
    ],
    ["/* x */ GRANT ALL PRIVILEGES ON *.* TO 'mariner_repl'@'%';\n", /denied/],
    ["CREATE TABLE t (b TEXT);\nLOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE t;\n", /local infile/i],
  ];
  for (const [text, error] of sneaky) {
    const f = path.join(scratch, "sneaky.sql");
    fs.writeFileSync(f, text);
    const started = await imports.beginImport(actor, "shop", { database: "sneaky" }, webStream(f));
    const failed = await refusal(started.done);
    assert.equal(failed.code, "import_failed", text);
    assert.ok(
      failed.lines.some((l) => error.test(l)),
      `${JSON.stringify(text)}: ${failed.lines.join(" | ")}`,
    );
    assert.ok(!(await data.listDatabases(actor, "shop")).items.some((d) => d.name === "sneaky"), "nothing kept");
  }
  assert.equal((await query("shop", "SELECT @@max_connections AS m"))[0].m, before.m);
  assert.equal((await query("shop", "SELECT COUNT(*) AS n FROM app.t WHERE id = 99"))[0].n, 0);
  assert.ok(!(await accounts.listAccounts(actor, "shop")).items.some((a) => a.user.startsWith("mariner_load_")));

  // A dump's DEFINER clauses load as written (the loading account may name a definer, as mariadb-dump writes them).
  const definer = path.join(scratch, "definer.sql");
  fs.writeFileSync(
    definer,
    [
      "CREATE TABLE a (id INT);",
      "DELIMITER ;;",
      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER a_bi BEFORE INSERT ON a FOR EACH ROW SET NEW.id = NEW.id + 1 */;;",
      "DELIMITER ;",
      "INSERT INTO a VALUES (1);",
      "",
    ].join("\n"),
  );
  await (
    await imports.beginImport(actor, "shop", { database: "withtrigger" }, webStream(definer))
  ).done;
  assert.equal((await query("shop", "SELECT id FROM withtrigger.a"))[0].id, 2);

  // Fails at line 3 on the server: the database it created is dropped again, on the slave too.
  const broken = path.join(scratch, "broken.sql.gz");
  fs.writeFileSync(
    broken,
    zlib.gzipSync("CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\nINSERT INTO missing VALUES (2);\n"),
  );
  const failing = await imports.beginImport(actor, "shop", { database: "broken" }, webStream(broken));
  const failed = await refusal(failing.done);
  assert.equal(failed.code, "import_failed");
  assert.match(failed.message, /line 3 of the file: nothing was kept/);
  assert.ok(failed.lines.some((l) => /ERROR 1146 .* at line 3: Table 'broken.missing' doesn't exist/.test(l)));
  assert.ok(!(await data.listDatabases(actor, "shop")).items.some((d) => d.name === "broken"));

  // A small .gz that decompresses past the limit: 413 while it is read, nothing created, no file left behind.
  const bomb = path.join(scratch, "bomb.sql.gz");
  fs.writeFileSync(bomb, zlib.gzipSync(Buffer.alloc(70 * 1024 * 1024, "-- padding\n")));
  const tooBig = await refusal(imports.beginImport(actor, "shop", { database: "bomb" }, webStream(bomb)));
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.message, /larger than 60 MB once decompressed/);
  assert.ok(!(await data.listDatabases(actor, "shop")).items.some((d) => d.name === "bomb"));
  assert.deepEqual(fs.readdirSync(path.join(dataDir, "imports")), [], "no upload left on the console's disk");

  // Into an existing non-empty database: refused; cancel mid-way: the database is gone again.
  assert.equal(
    (await refusal(imports.beginImport(actor, "shop", { database: "loaded" }, webStream(file)))).status,
    409,
  );
  const cancelled = await imports.beginImport(actor, "shop", { database: "halfway" }, webStream(file));
  await waitFor(
    async () => (await getOperation(cancelled.operationId))?.steps.some((s) => s.name.startsWith("Loading")),
    {
      what: "the import to start loading",
    },
  );
  const second = await refusal(imports.beginImport(actor, "shop", { database: "halfway" }, webStream(broken)));
  assert.equal(second.status, 409, "one import per database at a time");
  await imports.cancelImport(actor, "shop", cancelled.operationId);
  assert.equal((await refusal(cancelled.done)).code, "cancelled");
  assert.ok(!(await data.listDatabases(actor, "shop")).items.some((d) => d.name === "halfway"));
  await waitFor(
    async () => !(await data.listDatabases(actor, "shop-slave-1")).items.some((d) => d.name === "halfway"),
    {
      what: "the slave to drop halfway too",
    },
  );
});

test("export from the slave → import into another environment: the checksum header matches and the tables are equal", async () => {
  const out = await exportDatabases(actor, "shop", { databases: ["loaded"] });
  assert.equal(out.source, "shop-slave-1", "exported from the slave");
  assert.equal(crypto.createHash("sha256").update(fs.readFileSync(out.file)).digest("hex"), out.sha256);
  const copy = await imports.beginImport(actor, "other", { database: "copy" }, webStream(out.file));
  await copy.done;
  fs.rmSync(out.file);
  const c1 = await login("shop");
  const c2 = await login("other");
  assert.deepEqual(await databaseChecksums(c2, "copy"), await databaseChecksums(c1, "loaded"));
  await c1.end();
  await c2.end();
  const all = await exportDatabases(actor, "other", {});
  const text = zlib.gunzipSync(fs.readFileSync(all.file)).toString();
  fs.rmSync(all.file);
  assert.ok(/CREATE DATABASE .*`copy`/.test(text), "without a list: every database, each with its CREATE DATABASE");
  assert.equal(all.source, "other");
  assert.equal((await refusal(exportDatabases(actor, "shop", { databases: ["nope"] }))).status, 404);
  assert.equal((await refusal(exportDatabases(actor, "shop", { databases: ["../x"] }))).status, 400);
});
