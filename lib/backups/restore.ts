import fs from "node:fs";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import {
  createEnvironment,
  DEFAULT_MEMORY_MB,
  deleteEnvironment,
  findEnvironment,
  getEnvironment,
  type CreateOptions,
  type EnvironmentWithNodes,
} from "@/lib/environments/service";
import { ServiceError, notFound } from "@/lib/errors";
import { allSlaveStatus, changeMaster, controlSlave } from "@/lib/mariadb/replication";
import { killClientSessions } from "@/lib/mariadb/sessions";
import { editConfig } from "@/lib/environments/config";
import { createEnvironmentInput } from "@/lib/environments/create";
import { setServerOptions } from "@/lib/mycnf/parse";
import { topologyLock, withLock } from "@/lib/locks";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { ensureReplicationAccount } from "@/lib/topology/account";
import { parseInput } from "@/lib/validation";
import { assertQuotaAllows } from "@/lib/quotas";
import { inspectDump } from "./guard";
import { inspectPhysical, physicalPossible, restorePhysical } from "./physical";
import { discoverTopology } from "@/lib/topology/discover";
import { dropUserDatabases, keep, loadGzip, login, restoring } from "./archive";
import { beginBackup, getBackup } from "./take";
// Restore into a new environment (optionally as a slave) or over an existing one, with a safety backup.

export const restoreInput = z.strictObject({
  name: environmentName,
  asSlave: z.boolean().default(false),
  /** Restore over the existing environment `name`: its databases are replaced, after a safety backup. */
  overwrite: z.boolean().default(false),
  /** The environment's name typed again (required with overwrite). */
  confirm: z.string().max(100).optional(),
  /** Where a new environment runs (as for New environment; default: the local runtime). */
  runtime: createEnvironmentInput.shape.runtime,
  host: createEnvironmentInput.shape.host,
});

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
  if (backup.status !== "succeeded")
    throw new ServiceError(409, "unusable", "Only a successful backup can be restored");
  if (!fs.existsSync(backup.file)) throw new ServiceError(410, "gone", "The backup file is missing from the data dir");
  if (input.asSlave && !backup.gtidPosition)
    throw new ServiceError(409, "no_position", "This backup has no recorded GTID position: restore it standalone");
  const existing = await findEnvironment(actor, input.name);
  if (existing && !input.overwrite) {
    throw new ServiceError(
      409,
      "name_taken",
      `"${input.name}" exists: a restore goes into a new environment unless you choose to restore over it (type its name to confirm)`,
    );
  }
  if (!existing && input.overwrite) throw notFound("Environment");
  if (existing) {
    if (input.confirm !== existing.name)
      throw new ServiceError(
        400,
        "confirmation_required",
        `Type "${existing.name}" to confirm: its databases will be replaced by the backup's`,
      );
    if (input.asSlave)
      throw new ServiceError(
        400,
        "invalid_request",
        "Restoring over an existing environment cannot also make it a slave",
      );
    if (existing.status !== "running")
      throw new ServiceError(409, "not_running", `${existing.name} is ${existing.status}`);
    if ((await asRoot(existing, allSlaveStatus)).length)
      throw new ServiceError(
        409,
        "is_slave",
        `${existing.name} is a slave: restore its master instead (its slaves follow), or re-seed it`,
      );
  }
  // A new environment must fit the owner's quota: refused here with a 4xx, and again under the placement lock.
  if (!existing && !options.quotaExempt)
    await assertQuotaAllows(actor, { environments: 1, memoryMb: DEFAULT_MEMORY_MB });
  const physical = backup.format === "xbstream";
  if (physical && (existing ? !physicalPossible(existing) : (input.runtime ?? "local") !== "local"))
    throw new ServiceError(
      409,
      "physical_unavailable",
      "A physical backup is restored by unpacking data files, which only the local runtime allows: restore it into a new local environment",
    );
  if (physical && existing && (await hasSlaves(actor, existing.name)))
    throw new ServiceError(
      409,
      "has_slaves",
      `${existing.name} has slaves, which would not follow a physical restore: restore into a new environment (or as a slave), or use a logical backup`,
    );
  // A member's data files are its cluster's: replaced on one member alone, it would hold another history.
  if (physical && existing?.galeraClusterId)
    throw new ServiceError(
      409,
      "galera_member",
      `${existing.name} is a Galera node: restore the physical backup into a new environment, or restore a logical backup over the node (the cluster replicates it)`,
    );
  await inspectBackup(backup);
  if (existing) return beginRestoreOver(actor, backup, existing);
  return beginOperation(
    {
      userId: actor.id,
      action: "backup.restore",
      target: input.name,
      params: { backup: backup.id, from: backup.environmentName, asSlave: input.asSlave },
    },
    async (step) => {
      let created = false;
      const release = keep(backup.id);
      try {
        await step(`creating ${input.name}`);
        const env = await createEnvironment(
          actor,
          { name: input.name, runtime: input.runtime, host: input.host },
          options,
        );
        created = true;
        if (physical) {
          await step(`unpacking ${(backup.sizeBytes! / 1048576).toFixed(1)} MB (gzip'd mariadb-backup stream)`);
          // Under the environment's lock: the monitor must not restart a server whose data is being replaced.
          await withLock(env.id, () => restorePhysical(env, backup.file));
        } else {
          await step(`loading ${(backup.sizeBytes! / 1048576).toFixed(1)} MB (gzip)`);
          await loadGzip(login(env), backup.file, { binlog: false });
        }
        if (input.asSlave) {
          await step(`replicating from ${backup.environmentName} at ${backup.gtidPosition}`);
          const master = await getEnvironment(actor, backup.environmentName);
          const replication = await ensureReplicationAccount(master);
          await asRoot(env, async (c) => {
            await c.query("SET GLOBAL gtid_slave_pos = ?", [backup.gtidPosition]);
            await changeMaster(c, { ...replication, mode: "gtid" });
            await controlSlave(c, "full-start");
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
    },
  );
}

type BackupRow = Awaited<ReturnType<typeof getBackup>>;

const inspectBackup = (backup: BackupRow) =>
  backup.format === "xbstream" ? inspectPhysical(backup.file, backup.sha256) : inspectDump(backup.file, backup.sha256);

async function hasSlaves(actor: Actor, name: string) {
  return (await discoverTopology(actor)).edges.some((e) => e.from === name);
}

function beginRestoreOver(actor: Actor, backup: BackupRow, target: EnvironmentWithNodes) {
  return beginOperation(
    {
      userId: actor.id,
      action: "backup.restore-over",
      environmentId: target.id,
      target: target.name,
      params: { backup: backup.id, from: backup.environmentName },
    },
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
            await editConfig(actor, target.name, (content) => setServerOptions(content, { "read-only": "ON" }), {
              message: "read-only: a restore over it failed half-way",
              restart: false,
            }).catch(() => undefined);
          }
        }
      }),
  );
}

async function restoreOverLocked(
  actor: Actor,
  backup: BackupRow,
  name: string,
  step: (s: string) => Promise<void>,
  state: { halfLoaded: boolean },
) {
  // Checked again under the locks: a switchover queued ahead of us may have made it a slave meanwhile.
  const target = await getEnvironment(actor, name);
  if (target.status !== "running") throw new ServiceError(409, "not_running", `${target.name} is ${target.status}`);
  if ((await asRoot(target, allSlaveStatus)).length)
    throw new ServiceError(
      409,
      "is_slave",
      `${target.name} is a slave: restore its master instead (its slaves follow), or re-seed it`,
    );
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
    await inspectBackup(backup); // still there and unchanged, right before anything is dropped
    if (backup.format === "xbstream") {
      // Its previous data stays aside until the server runs on the backup's: a failure leaves it as it was.
      await step(`replacing ${target.name}'s data files with the backup of ${backup.environmentName}`);
      await restorePhysical(target, backup.file);
      await step("ready");
      return { name: target.name, safetyBackup: safety.id };
    }
    try {
      await step(
        `replacing ${target.name}'s databases with the backup of ${backup.environmentName} (${(backup.sizeBytes! / 1048576).toFixed(1)} MB gzip)`,
      );
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
        throw new ServiceError(
          500,
          "restore_failed",
          `${detail}. Load: ${(e as Error).message}. Put-back: ${(again as Error).message}`,
          [...((e as ServiceError).lines ?? []), ...((again as ServiceError).lines ?? [])],
        );
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
