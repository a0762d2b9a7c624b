import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import zlib from "node:zlib";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot, openRoot } from "@/lib/environments/root";
import {
  createEnvironment,
  DEFAULT_MEMORY_MB,
  deleteEnvironment,
  findEnvironment,
  getEnvironment,
  primaryNode,
  type CreateOptions,
  type EnvironmentWithNodes,
} from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { ServiceError, notFound, staleEdit } from "@/lib/errors";
import { accountStatements, dumpArgs, type DumpSource } from "@/lib/mariadb/dump";
import { allSlaveStatus, changeMaster, slaveStatus } from "@/lib/mariadb/replication";
import { killClientSessions } from "@/lib/mariadb/sessions";
import { editConfig } from "@/lib/environments/config";
import { setServerOptions } from "@/lib/mycnf/parse";
import { topologyLock, withLock } from "@/lib/locks";
import { environmentName } from "@/lib/names";
import { beginOperation, runOperation } from "@/lib/operations";
import { dataDir } from "@/lib/paths";
import { ensureReplicationAccount } from "@/lib/topology/account";
import { discoverTopology } from "@/lib/topology/discover";
import { parseInput } from "@/lib/validation";
import { assertQuotaAllows } from "@/lib/quotas";
import { parseCron } from "./cron";
import { inspectDump, missingDatabases } from "./guard";
import { SYSTEM_SCHEMAS } from "@/lib/mariadb/schemas";

export const backupsDir = () => path.join(dataDir(), "backups");

/** Environments a restore is being loaded into (no other backup of them now) and backups retention must keep. */
const g = globalThis as unknown as { marinerRestoring?: Set<string>; marinerBackupsInUse?: Map<string, number> };
const restoring = (g.marinerRestoring ??= new Set());
const inUse = (g.marinerBackupsInUse ??= new Map());
/** Keeps a backup out of retention until the returned release runs (counted: two restores may overlap). */
function keep(backupId: string): () => void {
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

function login(env: EnvironmentWithNodes): DumpSource {
  const ref = nodeRefOf(primaryNode(env));
  return { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword };
}

/** mariadb-dump → gzip → file, hashing on the way; the first 64 kB of SQL kept to read the position comment. */
async function dumpToGzip(source: DumpSource, position: "none" | "comment", file: string) {
  // Accounts first: once mariadb-dump runs, its output is consumed at once (nothing awaited in between).
  const accounts = await accountStatements(source);
  const child = spawn("mariadb-dump", dumpArgs(source, position), { env: { ...process.env, MYSQL_PWD: source.password }, stdio: ["ignore", "pipe", "pipe"] });
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
  await pipeline(withAccounts, peek, zlib.createGzip({ level: 6 }), hashing, fs.createWriteStream(file, { mode: 0o600 }));
  const code = await exited;
  if (code !== 0) throw new ServiceError(500, "backup_failed", `mariadb-dump failed (exit ${code})`, stderr.split("\n").filter(Boolean).slice(-10));
  // A dump that was killed or stopped early exits non-zero (above); one that wrote nothing is never "success".
  if (bytes < 100) throw new ServiceError(500, "backup_incomplete", "mariadb-dump wrote (almost) nothing: the backup is marked failed");
  return { head, sha256: hash.digest("hex"), size: fs.statSync(file).size };
}

/**
 * The article's backup: from a slave when one replicates — its SQL thread paused so the copy is a frozen
 * point in the master's history (the position recorded), then resumed — else from the master with a
 * non-blocking single-transaction dump and the position it corresponds to.
 */
export async function beginBackup(actor: Actor, name: string, opts: { scheduled?: boolean; safetyBeforeRestore?: boolean } = {}) {
  const env = await getEnvironment(actor, name);
  if (env.status !== "running") throw new ServiceError(409, "not_running", `${env.name} is ${env.status}`);
  if (restoring.has(env.id) && !opts.safetyBeforeRestore) throw new ServiceError(409, "busy", `A restore over ${env.name} is running: a backup now would hold a half-loaded copy`);
  return beginOperation({ userId: actor.id, action: opts.scheduled ? "backup.scheduled" : "backup.take", environmentId: env.id, target: env.name }, async (step) => {
    const topology = await discoverTopology(actor);
    // A safety backup is taken from the (frozen) environment itself: a slave may be behind it.
    const slave = opts.safetyBeforeRestore
      ? undefined
      : topology.edges.find((e) => e.from === env.name && e.connection === "" && e.health.state === "running" && Object.keys(e.filters).length === 0)?.to;
    const source = slave ? await getEnvironment(actor, slave) : env;
    fs.mkdirSync(backupsDir(), { recursive: true, mode: 0o700 });
    const file = path.join(backupsDir(), `${env.name}-${new Date().toISOString().replace(/[:.]/g, "-")}.sql.gz`);
    const row = await db().backup.create({
      data: {
        environmentId: env.id,
        environmentName: env.name,
        ownerId: env.ownerId,
        sourceName: source.name,
        method: opts.safetyBeforeRestore ? "safety backup before a restore over it" : slave ? `dump of slave ${slave} with its SQL thread paused` : "single-transaction dump of the master",
        file,
        scheduled: !!opts.scheduled,
      },
    });
    const t0 = Date.now();
    try {
      let position: { gtid: string | null; file: string | null; pos: number | null } = { gtid: null, file: null, pos: null };
      let facts: Awaited<ReturnType<typeof tableFacts>> | null = null;
      const databasesBefore = await userDatabases(source);
      let result;
      if (slave) {
        await step(`pausing ${slave}'s SQL thread`);
        position = await asRoot(source, async (c) => {
          await c.query("STOP SLAVE SQL_THREAD");
          const st = await slaveStatus(c);
          const [[g]] = (await c.query("SELECT @@gtid_slave_pos AS pos")) as unknown as [{ pos: string }[]];
          return { gtid: g.pos || null, file: st ? String(st.Relay_Master_Log_File) : null, pos: st ? Number(st.Exec_Master_Log_Pos) : null };
        });
        try {
          await step(`dumping ${slave}`);
          result = await dumpToGzip(login(source), "none", file);
          await step("counting rows and checksumming tables (the slave is still paused: they match the dump)");
          facts = await asRoot(source, tableFacts);
        } finally {
          await step(`resuming ${slave}`);
          await asRoot(source, (c) => c.query("START SLAVE SQL_THREAD"));
        }
      } else {
        await step(`dumping ${env.name} (single transaction, no locks held)`);
        const binlog = await asRoot(env, async (c) => {
          const [rows] = await c.query("SELECT @@log_bin AS b");
          return Number((rows as { b: number }[])[0].b) === 1;
        });
        // Row counts from a snapshot of our own, taken as the dump starts: they describe the dump exactly when
        // both snapshots sit at the same binlog position (no commit in between).
        const counting = binlog ? snapshotCounts(env) : Promise.resolve(null);
        result = await dumpToGzip(login(env), binlog ? "comment" : "none", file);
        const gtid = /SET GLOBAL gtid_slave_pos='([^']*)'/.exec(result.head)?.[1] ?? null;
        const coords = /CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+)/.exec(result.head);
        position = { gtid, file: coords?.[1] ?? null, pos: coords ? Number(coords[2]) : null };
        const snapshot = await counting.catch(() => null);
        if (snapshot && snapshot.file === position.file && snapshot.pos === position.pos) {
          facts = { counts: snapshot.counts, checksums: {} };
          await step(`row counts recorded (same snapshot position ${position.file}:${position.pos})`);
        }
      }
      // Read back from disk: the checksum must hold, and every database that existed throughout must be in it.
      const dumped = await inspectDump(file, result.sha256);
      const missing = missingDatabases(databasesBefore, await userDatabases(source), dumped.databases);
      if (missing.length) throw new ServiceError(500, "backup_incomplete", `The dump lacks database(s) ${missing.join(", ")}: the backup is marked failed`);
      await step(`recording size and checksum (${dumped.databases.length} databases)`);
      const done = await db().backup.update({
        where: { id: row.id },
        data: {
          status: "succeeded",
          sizeBytes: result.size,
          sha256: result.sha256,
          gtidPosition: position.gtid,
          binlogFile: position.file,
          binlogPos: position.pos,
          contents: facts ? JSON.stringify(facts.counts) : null,
          checksums: facts && Object.keys(facts.checksums).length ? JSON.stringify(facts.checksums) : null,
          finishedAt: new Date(),
        },
      });
      // Retention never runs for a safety backup: it could delete the very backup being restored.
      if (!opts.safetyBeforeRestore) await applyRetention(env.id);
      return { id: done.id, sizeBytes: result.size, durationMs: Date.now() - t0, gtidPosition: position.gtid, source: source.name };
    } catch (e) {
      fs.rmSync(file, { force: true });
      await db().backup.update({ where: { id: row.id }, data: { status: "failed", error: (e as Error).message, finishedAt: new Date() } });
      throw e;
    }
  });
}

export async function listBackups(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return db().backup.findMany({ where: { environmentId: env.id }, orderBy: { startedAt: "desc" } });
}

/** A backup the actor may use (its own environment's, or anyone's for an admin), even after the environment is gone. */
export async function getBackup(actor: Actor, id: string) {
  const b = await db().backup.findUnique({ where: { id } });
  if (!b || (b.ownerId !== actor.id && actor.role !== "admin")) throw notFound("Backup");
  return b;
}

const cronSchedule = (what: string) =>
  z
    .string()
    .max(100)
    .superRefine((s, ctx) => {
      try {
        parseCron(s);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `${what}: ${(e as Error).message}` });
      }
    })
    .nullable()
    .optional();

export const policyInput = z.strictObject({
  schedule: cronSchedule("Schedule"),
  keepLast: z.number().int().min(1).max(1000).nullable().optional(),
  keepDays: z.number().int().min(1).max(3650).nullable().optional(),
  /** When to test-restore the latest backup into a temporary environment (alerts when it does not match). */
  verifySchedule: cronSchedule("Test restore schedule"),
  /** The policy revision the form was filled from (GET → revision; 0 before the first save); a newer one refuses it. */
  baseRevision: z.number().int().min(0).optional(),
});

export async function setBackupPolicy(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const p = parseInput(policyInput, raw);
  const data = { schedule: p.schedule ?? null, keepLast: p.keepLast ?? null, keepDays: p.keepDays ?? null, verifySchedule: p.verifySchedule ?? null };
  const revision = await savePolicy(env.id, data, actor.email, p.baseRevision);
  // A scheduled test restore nobody hears about is useless: it comes with its alert rule.
  if (data.verifySchedule && !(await db().alertRule.findFirst({ where: { environmentId: env.id, kind: "backup-verification" } }))) {
    await db().alertRule.create({ data: { environmentId: env.id, kind: "backup-verification" } });
  }
  await applyRetention(env.id);
  return { ...data, revision };
}

/** Compare-and-set on the revision (atomic in the store): two people saving the form never overwrite each other. */
async function savePolicy(environmentId: string, data: Record<string, unknown>, by: string, base: number | undefined): Promise<number> {
  const stamp = { updatedBy: by, updatedAt: new Date() };
  // Without a base revision the caller asked for last-writer-wins: it retries on whatever is current.
  for (let attempt = 0; attempt < (base === undefined ? 5 : 1); attempt++) {
    const current = await db().backupPolicy.findUnique({ where: { environmentId } });
    const expected = base ?? current?.revision ?? 0;
    const saved = current
      ? (await db().backupPolicy.updateMany({ where: { environmentId, revision: expected }, data: { ...data, ...stamp, revision: expected + 1 } })).count === 1
      : expected === 0 && (await db().backupPolicy.create({ data: { environmentId, ...data, ...stamp, revision: 1 } }).then(() => true, () => false));
    if (saved) return expected + 1;
  }
  const now = await db().backupPolicy.findUnique({ where: { environmentId } });
  throw staleEdit("The backup policy", now?.updatedBy ?? null, now?.updatedAt ?? null, { baseRevision: base, currentRevision: now?.revision ?? 0 });
}

export async function getBackupPolicy(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return db().backupPolicy.findUnique({ where: { environmentId: env.id } });
}

/** Keep the last N and/or the last N days of successful backups; older files and rows go. */
export async function applyRetention(environmentId: string) {
  const policy = await db().backupPolicy.findUnique({ where: { environmentId } });
  if (!policy || (!policy.keepLast && !policy.keepDays)) return [];
  const backups = await db().backup.findMany({ where: { environmentId, status: "succeeded" }, orderBy: { startedAt: "desc" } });
  const cutoff = policy.keepDays ? Date.now() - policy.keepDays * 86_400_000 : -Infinity;
  const doomed = backups.filter((b, i) => !inUse.has(b.id) && ((policy.keepLast !== null && i >= policy.keepLast) || b.startedAt.getTime() < cutoff));
  for (const b of doomed) {
    fs.rmSync(b.file, { force: true });
    await db().backup.delete({ where: { id: b.id } });
  }
  return doomed.map((b) => b.id);
}

/** Scheduled backups: called every minute by the monitor; at most one run per policy per minute. */
export async function runDueBackups(now = new Date(), actorFor: (ownerId: string) => Promise<Actor | null>) {
  const { cronMatches } = await import("./cron");
  const policies = await db().backupPolicy.findMany({ where: { schedule: { not: null } } });
  const started: string[] = [];
  for (const p of policies) {
    const minute = new Date(now);
    minute.setSeconds(0, 0);
    if (!cronMatches(p.schedule!, now) || (p.lastRunAt && p.lastRunAt >= minute)) continue;
    const env = await db().environment.findUnique({ where: { id: p.environmentId } });
    const actor = env && (await actorFor(env.ownerId));
    if (!env || !actor || env.status !== "running") continue;
    await db().backupPolicy.update({ where: { environmentId: p.environmentId }, data: { lastRunAt: now } });
    const began = await beginBackup(actor, env.name, { scheduled: true }).catch((e: Error) => (console.error(`Mariner: scheduled backup of ${env.name}: ${e.message}`), null));
    if (!began) continue;
    started.push(env.name);
    began.done.catch(() => undefined); // recorded as a failed backup and operation
  }
  return started;
}

/** Scheduled test restores: the latest successful backup of each due policy is verified (one at a time). */
export async function runDueVerifications(now = new Date(), actorFor: (ownerId: string) => Promise<Actor | null>) {
  const g = globalThis as unknown as { marinerVerifying?: boolean };
  if (g.marinerVerifying) return []; // the previous round is still restoring
  g.marinerVerifying = true;
  try {
    return await verifyDue(now, actorFor);
  } finally {
    g.marinerVerifying = false;
  }
}

async function verifyDue(now: Date, actorFor: (ownerId: string) => Promise<Actor | null>) {
  const { cronMatches } = await import("./cron");
  const minute = new Date(now);
  minute.setSeconds(0, 0);
  const verified: { environment: string; backup: string; ok: boolean; text: string }[] = [];
  for (const p of await db().backupPolicy.findMany({ where: { verifySchedule: { not: null } } })) {
    if (!cronMatches(p.verifySchedule!, now) || (p.verifyLastRunAt && p.verifyLastRunAt >= minute)) continue;
    await db().backupPolicy.update({ where: { environmentId: p.environmentId }, data: { verifyLastRunAt: now } });
    const latest = await db().backup.findFirst({ where: { environmentId: p.environmentId, status: "succeeded" }, orderBy: { startedAt: "desc" } });
    const actor = latest && (await actorFor(latest.ownerId));
    if (!latest || !actor) continue;
    const verdict = await verifyBackup(actor, latest.id).then(
      (v) => v,
      (e: Error) => ({ ok: false, text: e.message }),
    );
    verified.push({ environment: latest.environmentName, backup: latest.id, ...verdict });
  }
  return verified;
}

export const restoreInput = z.strictObject({
  name: environmentName,
  asSlave: z.boolean().default(false),
  /** Restore over the existing environment `name`: its databases are replaced, after a safety backup. */
  overwrite: z.boolean().default(false),
  /** The environment's name typed again (required with overwrite). */
  confirm: z.string().max(100).optional(),
});

/** Streams a gzipped dump into a server; stderr's last lines become the error. */
async function loadGzip(target: DumpSource, file: string, { binlog }: { binlog: boolean }) {
  const child = spawn(
    "mariadb",
    [`--host=${target.host}`, `--port=${target.port}`, `--user=${target.user}`, ...(binlog ? [] : ["--init-command=SET SESSION sql_log_bin=0"]), "--binary-mode"],
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
  if (readError) throw new ServiceError(500, "restore_failed", `Reading the backup failed: ${(readError as Error).message}`, lines);
  if (code !== 0) throw new ServiceError(500, "restore_failed", "Loading the backup failed", lines);
}

/** Drops every user database (system schemas and nothing else survive): the target then holds exactly the dump. */
async function dropUserDatabases(env: EnvironmentWithNodes) {
  await asRoot(env, async (c) => {
    const [rows] = await c.query("SELECT schema_name AS s FROM information_schema.SCHEMATA WHERE schema_name NOT IN (?)", [SYSTEM_SCHEMAS]);
    for (const { s } of rows as { s: string }[]) await c.query("DROP DATABASE ??", [s]);
  });
}

/**
 * Restore, by default into a new environment: the dump is loaded outside the binlog; as a slave it then
 * replicates from the backed-up environment starting at the recorded GTID position.
 * Over an existing environment only when asked and its name is typed again: a safety backup is taken first,
 * its databases are replaced (written to its binlog, so its slaves follow), and if loading fails the safety
 * backup is put back. Either way the dump is inspected first (checksum, no USE outside its own databases).
 */
export async function beginRestore(actor: Actor, backupId: string, raw: unknown, options: CreateOptions = {}) {
  const backup = await getBackup(actor, backupId);
  const input = parseInput(restoreInput, raw);
  if (backup.status !== "succeeded") throw new ServiceError(409, "unusable", "Only a successful backup can be restored");
  if (!fs.existsSync(backup.file)) throw new ServiceError(410, "gone", "The backup file is missing from the data dir");
  if (input.asSlave && !backup.gtidPosition) throw new ServiceError(409, "no_position", "This backup has no recorded GTID position: restore it standalone");
  const existing = await findEnvironment(actor, input.name);
  if (existing && !input.overwrite) {
    throw new ServiceError(409, "name_taken", `"${input.name}" exists: a restore goes into a new environment unless you choose to restore over it (type its name to confirm)`);
  }
  if (!existing && input.overwrite) throw notFound("Environment");
  if (existing) {
    if (input.confirm !== existing.name) throw new ServiceError(400, "confirmation_required", `Type "${existing.name}" to confirm: its databases will be replaced by the backup's`);
    if (input.asSlave) throw new ServiceError(400, "invalid_request", "Restoring over an existing environment cannot also make it a slave");
    if (existing.status !== "running") throw new ServiceError(409, "not_running", `${existing.name} is ${existing.status}`);
    if ((await asRoot(existing, allSlaveStatus)).length) throw new ServiceError(409, "is_slave", `${existing.name} is a slave: restore its master instead (its slaves follow), or re-seed it`);
  }
  // A new environment must fit the owner's quota: refused here with a 4xx, and again under the placement lock.
  if (!existing && !options.quotaExempt) await assertQuotaAllows(actor, { environments: 1, memoryMb: DEFAULT_MEMORY_MB });
  await inspectDump(backup.file, backup.sha256);
  if (existing) return beginRestoreOver(actor, backup, existing);
  return beginOperation({ userId: actor.id, action: "backup.restore", target: input.name, params: { backup: backup.id, from: backup.environmentName, asSlave: input.asSlave } }, async (step) => {
    let created = false;
    const release = keep(backup.id);
    try {
      await step(`creating ${input.name}`);
      const env = await createEnvironment(actor, { name: input.name }, options);
      created = true;
      await step(`loading ${(backup.sizeBytes! / 1048576).toFixed(1)} MB (gzip)`);
      await loadGzip(login(env), backup.file, { binlog: false });
      if (input.asSlave) {
        await step(`replicating from ${backup.environmentName} at ${backup.gtidPosition}`);
        const master = await getEnvironment(actor, backup.environmentName);
        const replication = await ensureReplicationAccount(master);
        await asRoot(env, async (c) => {
          await c.query("SET GLOBAL gtid_slave_pos = ?", [backup.gtidPosition]);
          await changeMaster(c, { ...replication, mode: "gtid" });
          await c.query("START SLAVE");
        });
      }
      await step("ready");
      return { name: input.name };
    } catch (e) {
      if (created) await deleteEnvironment(actor, input.name).catch(() => undefined);
      throw e;
    } finally {
      release();
    }
  });
}

type BackupRow = Awaited<ReturnType<typeof getBackup>>;

function beginRestoreOver(actor: Actor, backup: BackupRow, target: EnvironmentWithNodes) {
  return beginOperation(
    { userId: actor.id, action: "backup.restore-over", environmentId: target.id, target: target.name, params: { backup: backup.id, from: backup.environmentName } },
    (step) =>
      // Nothing else touches the environment meanwhile: no switchover/failover of its topology, no config
      // change or restart, no scheduled backup of a half-loaded copy, no retention of the backups in play.
      topologyLock(target.ownerId, async () => {
        const state = { halfLoaded: false };
        try {
          return await withLock(target.id, () => restoreOverLocked(actor, backup, target.name, step, state));
        } finally {
          // Outside the environment lock (editConfig takes it): a half-loaded server stays read-only after a restart too.
          if (state.halfLoaded) {
            await editConfig(actor, target.name, (content) => setServerOptions(content, { "read-only": "ON" }), { message: "read-only: a restore over it failed half-way", restart: false }).catch(() => undefined);
          }
        }
      }),
  );
}

async function restoreOverLocked(actor: Actor, backup: BackupRow, name: string, step: (s: string) => Promise<void>, state: { halfLoaded: boolean }) {
  // Checked again under the locks: a switchover queued ahead of us may have made it a slave meanwhile.
  const target = await getEnvironment(actor, name);
  if (target.status !== "running") throw new ServiceError(409, "not_running", `${target.name} is ${target.status}`);
  if ((await asRoot(target, allSlaveStatus)).length) throw new ServiceError(409, "is_slave", `${target.name} is a slave: restore its master instead (its slaves follow), or re-seed it`);
  restoring.add(target.id);
  const releases = [keep(backup.id)];
  let wasReadOnly = true;
  try {
    // Frozen from the safety backup to the end. (Accounts with SUPER bypass read_only: their sessions are
    // closed here and again right before the drop.)
    await step(`freezing ${target.name} (read-only, client sessions closed)`);
    wasReadOnly = await asRoot(target, async (c) => {
      const [[r]] = (await c.query("SELECT @@read_only AS ro")) as unknown as [{ ro: number }[]];
      return Number(r.ro) === 1;
    });
    await asRoot(target, async (c) => {
      await c.query("SET GLOBAL read_only = 1");
      await killClientSessions(c);
    });
    await step(`safety backup of ${target.name}`);
    const taken = await (await beginBackup(actor, target.name, { safetyBeforeRestore: true })).done;
    const safety = await db().backup.findUniqueOrThrow({ where: { id: taken.id } });
    releases.push(keep(safety.id));
    await inspectDump(backup.file, backup.sha256); // still there and unchanged, right before anything is dropped
    try {
      await step(`replacing ${target.name}'s databases with the backup of ${backup.environmentName} (${(backup.sizeBytes! / 1048576).toFixed(1)} MB gzip)`);
      await asRoot(target, killClientSessions);
      await dropUserDatabases(target);
      await loadGzip(login(target), backup.file, { binlog: true });
    } catch (e) {
      await step(`loading failed: putting back the safety backup ${safety.id}`);
      try {
        await dropUserDatabases(target);
        await loadGzip(login(target), safety.file, { binlog: true });
      } catch (again) {
        // Half-loaded: it stays read-only (live and in my.cnf) rather than take writes on top of it.
        state.halfLoaded = true;
        const detail = `Restore failed and putting back the safety backup ${safety.id} failed too: read-only until it is restored`;
        await db().environment.update({ where: { id: target.id }, data: { statusDetail: detail } });
        throw new ServiceError(500, "restore_failed", `${detail}. Load: ${(e as Error).message}. Put-back: ${(again as Error).message}`, [
          ...((e as ServiceError).lines ?? []),
          ...((again as ServiceError).lines ?? []),
        ]);
      }
      throw e;
    }
    await step("ready");
    return { name: target.name, safetyBackup: safety.id };
  } finally {
    if (!state.halfLoaded && !wasReadOnly) await asRoot(target, (c) => c.query("SET GLOBAL read_only = 0"));
    restoring.delete(target.id);
    for (const release of releases) release();
  }
}


/** Exact rows and CHECKSUM TABLE per user table ("db.table" → …); identifiers go through ?? placeholders. */
export async function tableFacts(c: import("mysql2/promise").Connection, { checksums: withChecksums = true } = {}): Promise<{ counts: Record<string, number>; checksums: Record<string, string> }> {
  const [tables] = await c.query(
    "SELECT table_schema AS db, table_name AS t FROM information_schema.TABLES WHERE table_type = 'BASE TABLE' AND table_schema NOT IN (?) ORDER BY 1, 2",
    [SYSTEM_SCHEMAS],
  );
  const counts: Record<string, number> = {};
  const checksums: Record<string, string> = {};
  for (const { db: schema, t } of tables as { db: string; t: string }[]) {
    const [[row]] = (await c.query("SELECT COUNT(*) AS n FROM ??.??", [schema, t])) as unknown as [{ n: number }[]];
    counts[`${schema}.${t}`] = Number(row.n);
    if (!withChecksums) continue;
    const [[sum]] = (await c.query("CHECKSUM TABLE ??.??", [schema, t])) as unknown as [{ Checksum: number | string | null }[]];
    checksums[`${schema}.${t}`] = String(sum.Checksum);
  }
  return { counts, checksums };
}

/**
 * Exact row counts in a consistent snapshot and the binlog position it stands at — only when every user table
 * is InnoDB (other engines are not in the snapshot). Counts read inside the transaction.
 */
async function snapshotCounts(env: EnvironmentWithNodes): Promise<{ file: string; pos: number; counts: Record<string, number> } | null> {
  const c = await openRoot(env);
  try {
    const [others] = await c.query("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE table_type = 'BASE TABLE' AND table_schema NOT IN (?) AND ENGINE <> 'InnoDB'", [SYSTEM_SCHEMAS]);
    if (Number((others as { n: number }[])[0].n) > 0) return null;
    await c.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    const [status] = await c.query("SHOW STATUS WHERE Variable_name IN ('binlog_snapshot_file', 'binlog_snapshot_position')");
    const v = Object.fromEntries((status as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
    if (!v.binlog_snapshot_file) return null;
    const { counts } = await tableFacts(c, { checksums: false });
    await c.query("COMMIT");
    return { file: v.binlog_snapshot_file, pos: Number(v.binlog_snapshot_position), counts };
  } finally {
    c.destroy();
  }
}

/** User databases of a server (for "the dump holds every database"). */
async function userDatabases(env: EnvironmentWithNodes): Promise<string[]> {
  return asRoot(env, async (c) => {
    const [rows] = await c.query("SELECT schema_name AS s FROM information_schema.SCHEMATA WHERE schema_name NOT IN (?)", [SYSTEM_SCHEMAS]);
    return (rows as { s: string }[]).map((r) => r.s);
  });
}


/**
 * Test restore: the backup goes into a temporary environment, every table's row count is compared with what
 * was recorded at backup time, and the temporary environment is deleted. The verdict is kept on the backup.
 */
export async function verifyBackup(actor: Actor, backupId: string) {
  const backup = await getBackup(actor, backupId);
  const name = `verify-${backup.id.slice(-8)}`;
  return runOperation({ userId: actor.id, action: "backup.verify", environmentId: backup.environmentId, target: backup.environmentName, params: { backup: backup.id } }, async () => {
    let verdict: { ok: boolean; text: string };
    try {
      // The temporary environment is the system's, deleted below: a user at their quota can still verify.
      await (await beginRestore(actor, backup.id, { name }, { quotaExempt: true })).done;
      const restored = await asRoot(await getEnvironment(actor, name), tableFacts);
      const expected = backup.contents ? (JSON.parse(backup.contents) as Record<string, number>) : null;
      const sums = backup.checksums ? (JSON.parse(backup.checksums) as Record<string, string>) : {};
      const mismatches = expected
        ? Object.entries(expected).flatMap(([t, n]) =>
            restored.counts[t] !== n
              ? [`${t}: expected ${n} rows, restored ${restored.counts[t] ?? "no table"}`]
              : sums[t] !== undefined && sums[t] !== restored.checksums[t]
                ? [`${t}: same ${n} rows but different content (CHECKSUM TABLE ${sums[t]} → ${restored.checksums[t]})`]
                : [],
          )
        : [];
      const tables = Object.keys(restored.counts).length;
      const rows = Object.values(restored.counts).reduce((a, b) => a + b, 0);
      const checked = Object.keys(sums).length ? "rows and checksums match" : "rows match";
      verdict = !expected
        ? { ok: true, text: `restored ${tables} tables, ${rows} rows (no row counts recorded for this backup: its master took writes during the dump, has no binary log, or has non-InnoDB tables)` }
        : mismatches.length
          ? { ok: false, text: `mismatch: ${mismatches.slice(0, 5).join("; ")}` }
          : { ok: true, text: `verified: ${tables} tables, ${rows} ${checked}` };
    } catch (e) {
      verdict = { ok: false, text: `restore failed: ${(e as Error).message}` };
    } finally {
      await deleteEnvironment(actor, name).catch(() => undefined);
    }
    await db().backup.update({ where: { id: backup.id }, data: { verification: `${verdict.ok ? "ok" : "FAILED"} — ${verdict.text}`, verifiedAt: new Date() } });
    if (!verdict.ok) throw new ServiceError(422, "verification_failed", `Backup verification failed: ${verdict.text}`);
    return verdict;
  });
}
