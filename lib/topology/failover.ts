import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError, staleEdit } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { followNewMaster } from "./endpoints";
import { ensureReplicationAccount } from "./account";
import { waitReplicating } from "./steps";
import { preflight } from "./preflight";
import { persistRole, repointAll, repointNamedConnections } from "./switchover";

// Failover of a dead master, and the per-master automatic failover policy.

export const failoverInput = z.strictObject({ candidate: environmentName.optional() });

/**
 * Failover (master dead): let every slave apply what it received, promote the most advanced, repoint the rest,
 * and keep the old master down (desired state stopped) so it never comes back as a second writer.
 */
export async function beginFailover(
  actor: Actor,
  masterName: string,
  raw: unknown,
  opts: { automatic?: boolean } = {},
) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(failoverInput, raw);
  return beginOperation(
    { userId: actor.id, action: "topology.failover", environmentId: master.id, target: master.name, params: input },
    (step) =>
      topologyLock(master.ownerId, async () => {
        const t0 = performance.now();
        await step("checking the master from the console and from its slaves");
        let report = await preflight(actor, master.name, input.candidate, opts);
        if (report.masterAlive)
          throw new ServiceError(409, "master_alive", `${master.name} is alive: use switchover instead`);
        const slaves = report.candidates.filter((c) => !c.reasons.includes("not reachable"));
        await step("letting every slave apply what it received");
        await Promise.all(
          slaves.map(async (s) => {
            const env = await getEnvironment(actor, s.name);
            await asRoot(env, async (c) => {
              const row = await slaveStatus(c);
              // A SQL thread stopped without an error still holds received events: let it apply them.
              if (row && row.Slave_SQL_Running !== "Yes" && !Number(row.Last_SQL_Errno))
                await controlSlave(c, "start-sql");
              if (row?.Gtid_IO_Pos && !Number(row.Last_SQL_Errno))
                await c.query("SELECT MASTER_GTID_WAIT(?, 5)", [row.Gtid_IO_Pos]);
              await controlSlave(c, "full-stop");
            });
          }),
        );
        report = await preflight(actor, master.name, input.candidate, opts);
        if (report.blocked || !report.chosen) throw new ServiceError(409, "blocked", report.blocked ?? "No candidate");
        const chosen = await getEnvironment(actor, report.chosen);
        await step(`promoting ${chosen.name}`);
        await asRoot(chosen, async (c) => {
          await controlSlave(c, "remove");
          await c.query("SET GLOBAL read_only = 0");
        });
        const promotionMs = Math.round(performance.now() - t0);
        await followNewMaster(actor, master.name, chosen.name);
        const endpointMs = Math.round(performance.now() - t0);
        await db().environment.update({
          where: { id: master.id },
          data: {
            desiredState: "stopped",
            status: "down",
            statusDetail: `Failed over to ${chosen.name}. Start it only to re-seed it as a slave: it may hold transactions nobody else has.`,
          },
        });
        const login = await ensureReplicationAccount(chosen);
        const others = report.candidates
          .map((c) => c.name)
          .filter((n) => n !== chosen.name && slaves.some((s) => s.name === n));
        // Fencing the unreachable old master first: if anybody starts it again, it comes up read-only.
        await step(`fencing ${master.name}: read-only when it starts again`);
        await persistRole(actor, master.name, "slave").catch((e) =>
          step(`could not write read-only into ${master.name}'s my.cnf: ${(e as Error).message}`),
        );
        await persistRole(actor, chosen.name, "master").catch((e) =>
          step(`could not remove read-only from ${chosen.name}'s my.cnf: ${(e as Error).message}`),
        );
        await step(`repointing ${others.length ? others.join(", ") : "no other slaves"}`);
        const repointed = await repointAll(actor, others, login, step);
        await repointNamedConnections(actor, master.name, chosen.name, login, step);
        await Promise.all(repointed.map(async (n) => waitReplicating(await getEnvironment(actor, n))));
        await step("done");
        return {
          newMaster: chosen.name,
          lostTransactions: report.lost,
          promotionMs,
          endpointMs,
          repointed,
          notRepointed: others.filter((n) => !repointed.includes(n)),
        };
      }),
  );
}

export const failoverPolicyInput = z.strictObject({
  autoFailover: z.boolean(),
  graceSec: z.number().int().min(2).max(3600).optional(),
  /** The policy revision the form showed (environment → failoverPolicyRevision); a newer one refuses the save. */
  baseRevision: z.number().int().min(0).optional(),
});

export async function getFailoverPolicy(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return {
    autoFailover: env.autoFailover,
    graceSec: env.failoverGraceSec,
    revision: env.failoverPolicyRevision,
    updatedBy: env.failoverPolicyBy,
    updatedAt: env.failoverPolicyAt,
  };
}

export async function setFailoverPolicy(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { baseRevision, ...input } = parseInput(failoverPolicyInput, raw);
  // Compare-and-set in the store when the caller names its base; without one, last writer wins.
  const { count } = await db().environment.updateMany({
    where: { id: env.id, ...(baseRevision !== undefined ? { failoverPolicyRevision: baseRevision } : {}) },
    data: {
      autoFailover: input.autoFailover,
      ...(input.graceSec ? { failoverGraceSec: input.graceSec } : {}),
      failoverPolicyRevision: { increment: 1 },
      failoverPolicyBy: actor.email,
      failoverPolicyAt: new Date(),
    },
  });
  const now = await getEnvironment(actor, name);
  if (count === 0)
    throw staleEdit("The failover policy", now.failoverPolicyBy, now.failoverPolicyAt, {
      baseRevision,
      currentRevision: now.failoverPolicyRevision,
    });
  return { ...input, revision: now.failoverPolicyRevision };
}
