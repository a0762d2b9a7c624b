// Data in and out: Import of a 50 MB dump against `mariadb < file.sql`, and Export (mariadb-dump → gzip →
// SHA-256 → file) against a plain `mariadb-dump > file`, on the same server, file and run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { Actor } from "../lib/auth/actor";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A client binary with stdin/stdout redirected to files; resolves when it exits 0. */
function client(bin: string, args: string[], password: string, io: { stdin?: string; stdout?: string }) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(bin, args, {
      env: { ...process.env, MYSQL_PWD: password },
      stdio: [
        io.stdin ? fs.openSync(io.stdin, "r") : "ignore",
        io.stdout ? fs.openSync(io.stdout, "w") : "ignore",
        "inherit",
      ],
    });
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}`))));
  });
}

export async function dataRows(actor: Actor, dataDir: string, runs: number) {
  const svc = await import("../lib/environments/service");
  const sql = await import("../lib/environments/sql");
  const { beginImport } = await import("../lib/data/import");
  const { exportDatabases } = await import("../lib/data/export");
  await svc.createEnvironment(actor, { name: "bdata" });
  const run = (statement: string) => sql.runSql(actor, "bdata", { statement });
  await run("CREATE DATABASE gen");
  await run("CREATE TABLE gen.big (id INT PRIMARY KEY, v VARCHAR(200))");
  await run("INSERT INTO gen.big SELECT seq, REPEAT(MD5(seq), 3) FROM gen.seq_1_to_490000");
  const c = await svc.connectionDetails(actor, "bdata");
  const login = [`--host=${c.host}`, `--port=${c.port}`, "--user=root"];
  const file = path.join(dataDir, "gen.sql");
  const rawExport: number[] = [];
  const rawGzipExport: number[] = [];
  const consoleExport: number[] = [];
  const consolePlainExport: number[] = [];
  const rawImport: number[] = [];
  const consoleImport: number[] = [];
  const n = Math.min(runs, 3);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client("mariadb-dump", [...login, "--single-transaction", "gen"], c.password, { stdout: file });
    rawExport.push(performance.now() - t0);
    const t1 = performance.now();
    const out = await exportDatabases(actor, "bdata", { databases: ["gen"] });
    consoleExport.push(performance.now() - t1);
    fs.rmSync(out.file);
    const t2 = performance.now();
    const plain = await exportDatabases(actor, "bdata", { databases: ["gen"], compress: "none" });
    consolePlainExport.push(performance.now() - t2);
    fs.rmSync(plain.file);
    // What a user types for the same artifact: mariadb-dump | gzip -1 (two processes, as ours runs two stages).
    const t3 = performance.now();
    await client(
      "sh",
      ["-c", `mariadb-dump ${login.join(" ")} --single-transaction gen | gzip -1 > ${file}.gz`],
      c.password,
      {},
    );
    rawGzipExport.push(performance.now() - t3);
  }
  const mb = fs.statSync(file).size / 1024 / 1024;
  for (let i = 0; i < n; i++) {
    await run(`CREATE DATABASE raw${i}`);
    const t0 = performance.now();
    await client("mariadb", [...login, `--database=raw${i}`], c.password, { stdin: file });
    rawImport.push(performance.now() - t0);
    await run(`DROP DATABASE raw${i}`);
    const t1 = performance.now();
    const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
    await (
      await beginImport(actor, "bdata", { database: `imp${i}` }, body)
    ).done;
    consoleImport.push(performance.now() - t1);
    await run(`DROP DATABASE imp${i}`);
  }
  await svc.deleteEnvironment(actor, "bdata");
  return [
    {
      figure: `Import of a ${mb.toFixed(0)} MB .sql (upload received, every statement checked, loaded) vs mariadb < file, median`,
      value: median(consoleImport),
      baseline: median(rawImport),
      unit: "ms",
      goal: "≤ 1.2× raw",
    },
    {
      figure: "Export of the same database as .sql.gz (with SHA-256) vs mariadb-dump > file, median",
      value: median(consoleExport),
      baseline: median(rawExport),
      unit: "ms",
      goal: "≤ 1.2× raw",
    },
    {
      figure: "Export as .sql.gz vs mariadb-dump | gzip -1 > file (the same artifact by hand), median",
      value: median(consoleExport),
      baseline: median(rawGzipExport),
      unit: "ms",
      goal: "≤ 1.2× raw",
    },
    {
      figure: "Export as plain .sql (compress=none, with SHA-256) vs mariadb-dump > file, median",
      value: median(consolePlainExport),
      baseline: median(rawExport),
      unit: "ms",
      goal: "≤ 1.2× raw",
    },
  ];
}
