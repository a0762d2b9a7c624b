import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot, openRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError, notFound } from "@/lib/errors";
import { controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import { setDesync } from "@/lib/mariadb/galera";
import type { EnvironmentWithNodes } from "@/lib/environments/lookup";
import { beginOperation } from "@/lib/operations";
import { discoverTopology } from "@/lib/topology/discover";
import { inspectDump, missingDatabases } from "./guard";
import { inspectPhysical, physicalBackupTo, physicalPossible } from "./physical";
import { copyMethod } from "@/lib/topology/physical";
import { parseInput } from "@/lib/validation";
import { z } from "zod";
import { snapshotCounts, tableFacts } from "@/lib/mariadb/facts";
import { userDatabases } from "@/lib/mariadb/schemas";
import { backupsDir, dumpToGzip, login, restoring } from "./archive";
import { applyRetention } from "./policy";
// Taking a backup (from a paused slave when there is one) and reading the list.

/** Physical (mariadb-backup, the default where the runtime allows it) or logical (mariadb-dump). */
export const backupInput = z.strictObject({ method: copyMethod.optional() });

/**
 * The article's backup: from a slave when one replicates — its SQL thread paused so the copy is a frozen
 * point in the master's history (the position recorded), then resumed — else from the master with a
 * non-blocking single-transaction dump and the position it corresponds to.
 */
export async function beginBackup(
  actor: Actor,
  name: string,
  opts: { scheduled?: boolean; safetyBeforeRestore?: boolean; input?: unknown } = {},
) {
  const env = await getEnvironment(actor, name);
  // No input at all (a schedule, a safety backup, an empty POST) is {}; anything sent must be a valid body.
  const { method } = parseInput(backupInput, opts.input === undefined ? {} : opts.input);
  // Physical by default where the runtime reaches the data directory. A safety backup stays logical: putting it
  // back must not depend on the very server being replaced.
  if (method === "physical" && !physicalPossible(env))
    throw new ServiceError(409, "physical_unavailable", `${env.name}'s runtime takes logical backups only`);
  const wantsPhysical = !opts.safetyBeforeRestore && method !== "logical" && physicalPossible(env);
  if (env.status !== "running") throw new ServiceError(409, "not_running", `${env.name} is ${env.status}`);
  if (restoring.has(env.id) && !opts.safetyBeforeRestore)
    throw new ServiceError(
      409,
      "busy",
      `A restore over ${env.name} is running: a backup now would hold a half-loaded copy`,
    );
  return beginOperation(
    {
      userId: actor.id,
      action: opts.scheduled ? "backup.scheduled" : "backup.take",
      environmentId: env.id,
      target: env.name,
    },
    async (step) => {
      const topology = await discoverTopology(actor);
      // A safety backup is taken from the (frozen) environment itself: a slave may be behind it.
      const slave = opts.safetyBeforeRestore
        ? undefined
        : topology.edges.find(
            (e) =>
              e.from === env.name &&
              e.connection === "" &&
              e.health.state === "running" &&
              Object.keys(e.filters).length === 0,
          )?.to;
      const source = slave ? await getEnvironment(actor, slave) : env;
      // Decided by the server the copy comes from (a slave may run where data files cannot be reached).
      const physical = wantsPhysical && physicalPossible(source);
      fs.mkdirSync(backupsDir(), { recursive: true, mode: 0o700 });
      // Names are per owner only: a random part keeps two tenants' "shop" backups from ever sharing a file.
      const stamp = `${new Date().toISOString().replace(/[:.]/g, "-")}-${crypto.randomBytes(4).toString("hex")}`;
      const file = path.join(backupsDir(), `${env.name}-${stamp}.${physical ? "xbstream" : "sql"}.gz`);
      const tool = physical ? "physical copy (mariadb-backup)" : "dump";
      const row = await db().backup.create({
        data: {
          environmentId: env.id,
          environmentName: env.name,
          ownerId: env.ownerId,
          sourceName: source.name,
          method: opts.safetyBeforeRestore
            ? "safety backup before a restore over it"
            : slave
              ? `${tool} of slave ${slave} with its SQL thread paused`
              : physical
                ? "physical copy (mariadb-backup) of the master, live"
                : "single-transaction dump of the master",
          format: physical ? "xbstream" : "sql",
          file,
          scheduled: !!opts.scheduled,
        },
      });
      const t0 = Date.now();
      try {
        let position: { gtid: string | null; file: string | null; pos: number | null } = {
          gtid: null,
          file: null,
          pos: null,
        };
        let facts: Awaited<ReturnType<typeof tableFacts>> | null = null;
        const databasesBefore = await asRoot(source, (c) => userDatabases(c));
        let result;
        if (slave) {
          await step(`pausing ${slave}'s SQL thread`);
          position = await asRoot(source, async (c) => {
            await controlSlave(c, "stop-sql");
            const st = await slaveStatus(c);
            const [[g]] = (await c.query("SELECT @@gtid_slave_pos AS pos")) as unknown as [{ pos: string }[]];
            return {
              gtid: g.pos || null,
              file: st ? String(st.Relay_Master_Log_File) : null,
              pos: st ? Number(st.Exec_Master_Log_Pos) : null,
            };
          });
          try {
            await step(physical ? `copying ${slave}'s data files (mariadb-backup)` : `dumping ${slave}`);
            result = physical ? await physicalBackupTo(source, file) : await dumpToGzip(login(source), "none", file);
            await step("counting rows and checksumming tables (the slave is still paused: they match the dump)");
            facts = await asRoot(source, tableFacts);
          } finally {
            await step(`resuming ${slave}`);
            await asRoot(source, (c) => controlSlave(c, "start-sql"));
          }
        } else if (physical) {
          await step(`copying ${env.name}'s data files (mariadb-backup; writes go on)`);
          result = await desyncedWhile(env, step, () => physicalBackupTo(env, file));
          const log = result.log;
          position = { gtid: log.binlogGtid || null, file: log.binlogFile, pos: log.binlogPos };
        } else {
          await step(`dumping ${env.name} (single transaction, no locks held)`);
          const binlog = await asRoot(env, async (c) => {
            const [rows] = await c.query("SELECT @@log_bin AS b");
            return Number((rows as { b: number }[])[0].b) === 1;
          });
          // Row counts from a snapshot of our own, taken as the dump starts: they describe the dump exactly when
          // both snapshots sit at the same binlog position (no commit in between).
          const counting = binlog
            ? openRoot(env).then((c) => snapshotCounts(c).finally(() => c.destroy()))
            : Promise.resolve(null);
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
        if (physical) {
          await step("reading the backup back (SHA-256, gzip, complete stream)");
          await inspectPhysical(file, result.sha256);
        } else {
          const dumped = await inspectDump(file, result.sha256);
          const missing = missingDatabases(
            databasesBefore,
            await asRoot(source, (c) => userDatabases(c)),
            dumped.databases,
          );
          if (missing.length)
            throw new ServiceError(
              500,
              "backup_incomplete",
              `The dump lacks database(s) ${missing.join(", ")}: the backup is marked failed`,
            );
        }
        await step(`recording size and checksum (${databasesBefore.length} databases)`);
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
        return {
          id: done.id,
          sizeBytes: result.size,
          durationMs: Date.now() - t0,
          gtidPosition: position.gtid,
          source: source.name,
        };
      } catch (e) {
        fs.rmSync(file, { force: true });
        await db().backup.update({
          where: { id: row.id },
          data: { status: "failed", error: (e as Error).message, finishedAt: new Date() },
        });
        throw e;
      }
    },
  );
}

/**
 * A Galera node is desynced while its copy is taken: the backup's locks then make it fall behind instead of
 * pausing every node through flow control. Resynced whatever happens.
 */
async function desyncedWhile<T>(env: EnvironmentWithNodes, step: (s: string) => Promise<void>, work: () => Promise<T>) {
  if (!env.galeraClusterId) return work();
  await step(`desyncing ${env.name} from its Galera cluster (the others do not wait for it meanwhile)`);
  await asRoot(env, (c) => setDesync(c, true));
  const resync = async () => {
    await step(`resyncing ${env.name}`);
    await asRoot(env, (c) => setDesync(c, false));
  };
  let result: T;
  try {
    result = await work();
  } catch (e) {
    // The backup's own error is the one to see; a failed resync shows on the cluster page (Donor/Desynced).
    await resync().catch(() => undefined);
    throw e;
  }
  await resync();
  return result;
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
