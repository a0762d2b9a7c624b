import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import zlib from "node:zlib";
import { asRoot } from "@/lib/environments/root";
import { primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { ServiceError } from "@/lib/errors";
import { accountStatements, dumpArgs, type DumpSource } from "@/lib/mariadb/dump";
import { clientTlsArgs } from "@/lib/mariadb/transport";
import { dataDir } from "@/lib/paths";
import { userDatabases } from "@/lib/mariadb/schemas";
// The backup files: a dump streamed to gzip (checksummed), loaded back, and which backups are in use.

export const backupsDir = () => path.join(dataDir(), "backups");

/** Environments a restore is being loaded into (no other backup of them now) and backups retention must keep. */
const g = globalThis as unknown as { marinerRestoring?: Set<string>; marinerBackupsInUse?: Map<string, number> };
export const restoring = (g.marinerRestoring ??= new Set());
export const inUse = (g.marinerBackupsInUse ??= new Map());
/** Keeps a backup out of retention until the returned release runs (counted: two restores may overlap). */
export function keep(backupId: string): () => void {
  inUse.set(backupId, (inUse.get(backupId) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (inUse.get(backupId) ?? 1) - 1;
    if (left > 0) inUse.set(backupId, left);
    else inUse.delete(backupId);
  };
}

export function login(env: EnvironmentWithNodes): DumpSource {
  const ref = nodeRefOf(primaryNode(env));
  return { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword };
}

/** mariadb-dump → gzip → file, hashing on the way; the first 64 kB of SQL kept to read the position comment. */
export async function dumpToGzip(source: DumpSource, position: "none" | "comment", file: string) {
  // Accounts first: once mariadb-dump runs, its output is consumed at once (nothing awaited in between).
  const accounts = await accountStatements(source);
  const child = spawn("mariadb-dump", dumpArgs(source, position), {
    env: { ...process.env, MYSQL_PWD: source.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  let head = "";
  const peek = new Transform({
    transform(chunk, _enc, cb) {
      if (head.length < 65_536) head += chunk.toString("utf8");
      cb(null, chunk);
    },
  });
  const hash = crypto.createHash("sha256");
  const hashing = new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
  let bytes = 0;
  async function* withAccounts() {
    for await (const chunk of child.stdout) {
      bytes += chunk.length;
      yield chunk;
    }
    yield Buffer.from(accounts);
  }
  await pipeline(
    withAccounts,
    peek,
    zlib.createGzip({ level: 6 }),
    hashing,
    fs.createWriteStream(file, { mode: 0o600 }),
  );
  const code = await exited;
  if (code !== 0)
    throw new ServiceError(
      500,
      "backup_failed",
      `mariadb-dump failed (exit ${code})`,
      stderr.split("\n").filter(Boolean).slice(-10),
    );
  // A dump that was killed or stopped early exits non-zero (above); one that wrote nothing is never "success".
  if (bytes < 100)
    throw new ServiceError(
      500,
      "backup_incomplete",
      "mariadb-dump wrote (almost) nothing: the backup is marked failed",
    );
  return { head, sha256: hash.digest("hex"), size: fs.statSync(file).size };
}

/** Streams a gzipped dump into a server; stderr's last lines become the error. */
export async function loadGzip(target: DumpSource, file: string, { binlog }: { binlog: boolean }) {
  const child = spawn(
    "mariadb",
    [
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      ...clientTlsArgs(target.host),
      ...(binlog ? [] : ["--init-command=SET SESSION sql_log_bin=0"]),
      "--binary-mode",
      "--local-infile=0", // LOAD DATA LOCAL would read this machine's files on the server's behalf
    ],
    { env: { ...process.env, MYSQL_PWD: target.password }, stdio: ["pipe", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
  const source = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  // A read or gunzip error must not look like the end of the dump (the client would exit 0 on a half load):
  // kill the client first (these listeners run before pipeline's own), then report both. When the client
  // itself stops (a SQL error), its stdin fails first and that is not a read error.
  let clientGone = false;
  child.stdin.once("error", () => (clientGone = true));
  let readError: Error | null = null;
  for (const stream of [source, gunzip]) {
    stream.once("error", (e: Error) => {
      if (clientGone || child.exitCode !== null || child.signalCode !== null) return; // the client stopped first
      readError ??= e;
      child.kill("SIGKILL");
    });
  }
  await pipeline(source, gunzip, child.stdin).catch(() => undefined); // the exit code and readError say why
  const code = await exited;
  const lines = stderr.split("\n").filter(Boolean).slice(-10);
  if (readError)
    throw new ServiceError(500, "restore_failed", `Reading the backup failed: ${(readError as Error).message}`, lines);
  if (code !== 0) throw new ServiceError(500, "restore_failed", "Loading the backup failed", lines);
}

/** Drops every user database (system schemas and nothing else survive): the target then holds exactly the dump. */
export async function dropUserDatabases(env: EnvironmentWithNodes) {
  await asRoot(env, async (c) => {
    for (const database of await userDatabases(c)) await c.query("DROP DATABASE ??", [database]);
  });
}
