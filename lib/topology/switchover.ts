import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { asRoot, openRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { changeMaster, controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import { killClientSessions } from "@/lib/mariadb/sessions";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { followNewMaster } from "./endpoints";
import { ensureReplicationAccount, type ReplicationLogin } from "./account";
import { discoverTopology } from "./discover";
import { applyOptions, pointAt, waitReplicating } from "./steps";
import { preflight } from "./preflight";

// Planned switchover, and re-pointing the other slaves at a new master (shared with failover).

export async function persistRole(actor: Actor, name: string, role: "master" | "slave") {
  await applyOptions(
    actor,
    name,
    role === "master" ? { "read-only": null } : { "read-only": "ON", "log-slave-updates": "ON" },
    `Role: ${role} (switchover/failover)`,
    false,
  );
}

export const switchoverInput = z.strictObject({
  candidate: environmentName,
  demoteOldMaster: z.boolean().default(true),
});

/**
 * Planned switchover (master alive): freeze the master (global read lock + read_only), wait until the candidate
 * has executed everything, promote it, repoint the other slaves, and optionally put the old master under it.
 */
export async function beginSwitchover(actor: Actor, masterName: string, raw: unknown) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(switchoverInput, raw);
  const report = await preflight(actor, master.name, input.candidate);
  if (!report.masterAlive) throw new ServiceError(409, "master_down", `${master.name} is down: use failover`);
  if (report.blocked) throw new ServiceError(409, "blocked", report.blocked);
  return beginOperation(
    { userId: actor.id, action: "topology.switchover", environmentId: master.id, target: master.name, params: input },
    (step) =>
      topologyLock(master.ownerId, async () => {
        const candidate = await getEnvironment(actor, input.candidate);
        const others = report.candidates.map((c) => c.name).filter((n) => n !== candidate.name);
        const hold = await openRoot(master);
        let promoted = false;
        let fenced = false;
        try {
          await step(`freezing ${master.name} (read-only)`);
          const t0 = performance.now();
          // read_only first (it waits for commits in flight; later commits of ordinary accounts fail), then the
          // read lock, which also holds accounts that bypass read_only; their queued statements are killed below.
          await hold.query("SET GLOBAL read_only = 1");
          await hold.query("FLUSH TABLES WITH READ LOCK");
          const [[{ pos }]] = (await hold.query("SELECT @@gtid_binlog_pos AS pos")) as unknown as [{ pos: string }[]];
          await step(`waiting for ${candidate.name} to execute ${pos || "everything"}`);
          const caughtUp = await asRoot(candidate, async (c) => {
            const [[r]] = (await c.query("SELECT MASTER_GTID_WAIT(?, 30) AS w", [pos])) as unknown as [{ w: number }[]];
            return Number(r.w) === 0;
          });
          if (!caughtUp)
            throw new ServiceError(
              504,
              "catch_up_timeout",
              `${candidate.name} did not catch up within 30 s; ${master.name} was made writable again`,
            );
          await step(`promoting ${candidate.name}`);
          await asRoot(candidate, async (c) => {
            await controlSlave(c, "remove");
            await c.query("SET GLOBAL read_only = 0");
          });
          promoted = true;
          // From here on a queued write must never reach the old master: sessions are killed now, again right
          // before the unlock, and in `finally` if anything in between fails.
          await killClientSessions(hold);
          await step("moving the writer endpoint to the new master");
          await followNewMaster(actor, master.name, candidate.name);
          const readOnlyMs = Math.round(performance.now() - t0);
          await step(`fencing ${master.name}: closing its client sessions`);
          await killClientSessions(hold);
          await hold.query("UNLOCK TABLES"); // read_only stays on: the old master is fenced
          fenced = true;
          // The roles in my.cnf at once: restarted later, the new master is writable and the old one read-only.
          await persistRole(actor, candidate.name, "master").catch((e) =>
            step(`could not remove read-only from ${candidate.name}'s my.cnf: ${(e as Error).message}`),
          );
          await persistRole(actor, master.name, "slave").catch((e) =>
            step(`could not write read-only into ${master.name}'s my.cnf: ${(e as Error).message}`),
          );
          const login = await ensureReplicationAccount(candidate);
          await step(`repointing ${others.length ? others.join(", ") : "no other slaves"}`);
          const repointed = await repointAll(actor, others, login, step);
          await repointNamedConnections(actor, master.name, candidate.name, login, step);
          if (input.demoteOldMaster) {
            await step(`putting ${master.name} under ${candidate.name}`);
            await asRoot(master, async (c) => {
              await c.query("SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos");
              await changeMaster(c, { ...login, mode: "gtid" });
              await controlSlave(c, "full-start");
            });
          }
          await Promise.all(
            [...repointed, ...(input.demoteOldMaster ? [master.name] : [])].map(async (n) =>
              waitReplicating(await getEnvironment(actor, n)),
            ),
          );
          await step("done");
          return {
            newMaster: candidate.name,
            readOnlyMs,
            repointed,
            notRepointed: others.filter((n) => !repointed.includes(n)),
            oldMaster: input.demoteOldMaster ? "slave" : "read-only",
          };
        } catch (e) {
          if (!promoted) await hold.query("SET GLOBAL read_only = 0").catch(() => undefined); // abort: the old master takes writes again
          throw e;
        } finally {
          if (promoted && !fenced) await killClientSessions(hold).catch(() => undefined);
          hold.destroy();
        }
      }),
  );
}

/**
 * The other slaves follow the new master. Best effort: the new master is already serving, so one slave that
 * cannot be repointed is reported in the steps (and the result), not a reason to abort half-way.
 */
export async function repointAll(
  actor: Actor,
  names: string[],
  login: ReplicationLogin,
  step: (s: string) => Promise<void>,
): Promise<string[]> {
  const results = await Promise.all(
    names.map(async (n) => {
      try {
        await pointAt(await getEnvironment(actor, n), login);
        return n;
      } catch (e) {
        await step(
          `could not repoint ${n}: ${(e as Error).message} (point it at the new master from its Topology tab)`,
        );
        return null;
      }
    }),
  );
  return results.filter((n): n is string => n !== null);
}

/**
 * Named (multi-source) connections that read from the old master follow the new one too: by GTID, which the
 * new master shares with the old. A connection on file/position cannot be carried over: the step says so.
 */
export async function repointNamedConnections(
  actor: Actor,
  oldMaster: string,
  newMaster: string,
  login: ReplicationLogin,
  step: (s: string) => Promise<void>,
) {
  const named = (await discoverTopology(actor)).edges.filter((e) => e.from === oldMaster && e.connection !== "");
  for (const e of named) {
    try {
      const env = await getEnvironment(actor, e.to);
      const usesGtid = (await asRoot(env, (c) => slaveStatus(c, e.connection)))?.Using_Gtid !== "No";
      if (!usesGtid) {
        await step(
          `${e.to}'s connection '${e.connection}' uses file/position: point it at ${newMaster} by hand (Replication → Add source)`,
        );
        continue;
      }
      await step(`repointing ${e.to}'s connection '${e.connection}' to ${newMaster}`);
      await asRoot(env, async (c) => {
        await changeMaster(c, { ...login, mode: "gtid" }, e.connection);
        await controlSlave(c, "full-start", 1, e.connection);
      });
    } catch (err) {
      await step(`could not repoint ${e.to}'s connection '${e.connection}': ${(err as Error).message}`);
    }
  }
}
