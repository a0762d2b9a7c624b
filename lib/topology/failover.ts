import type { Connection } from "mysql2/promise";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError, staleEdit } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { followNewMaster } from "./endpoints";
import { ensureReplicationAccount } from "./account";
import { resolveServers, runPhases, type Phase, type Servers } from "./phases";
import { preflight, vantagePoints, type Preflight } from "./preflight";
import { namedConnectionsFrom, persistRoles, repointAll, repointNamedConnections } from "./repoint";
import { takeSemiSyncRole } from "./semisync";
import { waitReplicating } from "./steps";

// Failover of a dead master, and the per-master automatic failover policy.

export const failoverInput = z.strictObject({ candidate: environmentName.optional() });

interface Failover {
  actor: Actor;
  servers: Servers;
  wanted: string | undefined;
  automatic: boolean;
  startedAt: number;
  master: EnvironmentWithNodes;
  report: Preflight;
  /** The slaves that answered the first look. */
  reachable: string[];
  chosen: EnvironmentWithNodes | null;
  others: EnvironmentWithNodes[];
  promotionMs: number;
  endpointMs: number;
  repointed: EnvironmentWithNodes[];
}

const chosenOf = (f: Failover) => f.chosen!;

const phases: Phase<Failover>[] = [
  {
    label: () => "checking the master from the console and from its slaves",
    run: async (f) => {
      const seen = await vantagePoints(f.actor, f.master.name);
      if (seen.alive) throw new ServiceError(409, "master_alive", `${f.master.name} is alive: use switchover instead`);
      if (seen.receiving > 0)
        throw new ServiceError(
          409,
          "blocked",
          `The console cannot reach ${f.master.name}, but ${seen.receiving} slave(s) still receive from it: not failing over on one vantage point`,
        );
      f.reachable = seen.slaves;
    },
  },
  {
    label: () => "letting every slave apply what it received",
    run: async (f, step) => {
      // Semi-sync acknowledged what a slave received, and promotion discards a relay log not yet applied: a semi-sync
      // topology waits up to 30 s for it (every slave, the holder is only known after), an asynchronous one 5 s.
      const waitSec = f.master.semiSync ? 30 : 5;
      await Promise.all(f.reachable.map((name) => asRoot(f.servers.get(name), (c) => applyReceived(c, waitSec))));
      // Judged again now that every slave has applied what it had: the most advanced one is chosen.
      f.report = await preflight(f.actor, f.master.name, f.wanted, { automatic: f.automatic });
      if (f.report.blocked || !f.report.chosen) {
        // Nothing promoted: the slaves replicate again (should the master come back, and as the second vantage point).
        await Promise.all(
          f.reachable.map((name) =>
            asRoot(f.servers.get(name), (c) => controlSlave(c, "full-start")).catch(() => null),
          ),
        );
        throw new ServiceError(409, "blocked", f.report.blocked ?? "No candidate");
      }
      if (f.report.acknowledged) await step(f.report.acknowledged);
      f.chosen = f.servers.get(f.report.chosen);
      const chosenName = f.chosen.name;
      f.others = f.reachable.filter((n) => n !== chosenName).map(f.servers.get);
    },
  },
  {
    label: (f) => `promoting ${chosenOf(f).name}`,
    run: async (f, step) => {
      await asRoot(chosenOf(f), async (c) => {
        await controlSlave(c, "remove");
        // Before the first write: commits on the new master wait for its slaves as they did on the old one.
        if (f.master.semiSync) await takeSemiSyncRole(c, "master", f.master.semiSyncTimeoutMs);
        await c.query("SET GLOBAL read_only = 0");
      });
      f.promotionMs = Math.round(performance.now() - f.startedAt);
      // The new master serves already: endpoints that cannot follow are reported, not a reason to stop half-way.
      const endpoints = await followNewMaster(f.actor, f.master.name, chosenOf(f).name).catch(async (e) => {
        await step(`could not move the writer endpoint: ${(e as Error).message} (recreate it from the Topology tab)`);
        return null;
      });
      for (const moved of endpoints?.moved ?? [])
        await step(`endpoint ${moved}: its old host does not answer, so it moved with the master`);
      f.endpointMs = Math.round(performance.now() - f.startedAt);
      await db().environment.update({
        where: { id: f.master.id },
        data: {
          desiredState: "stopped",
          status: "down",
          statusDetail: `Failed over to ${chosenOf(f).name}. Start it only to re-seed it as a slave: it may hold transactions nobody else has.`,
        },
      });
    },
  },
  {
    // Fencing the unreachable old master first: if anybody starts it again, it comes up read-only.
    label: (f) => `fencing ${f.master.name}: read-only when it starts again`,
    run: (f, step) => persistRoles(f.actor, f.master.name, chosenOf(f).name, step),
  },
  {
    label: (f) => `repointing ${f.others.length ? f.others.map((o) => o.name).join(", ") : "no other slaves"}`,
    run: async (f, step) => {
      const login = await ensureReplicationAccount(chosenOf(f));
      f.repointed = await repointAll(f.others, login, step);
      const named = await namedConnectionsFrom(f.actor, f.master.name, f.servers);
      await repointNamedConnections(named, chosenOf(f).name, login, step);
      await Promise.all(f.repointed.map((e) => waitReplicating(e)));
    },
  },
  { label: () => "done", run: async () => undefined },
];

/** A SQL thread stopped without an error still holds received events: let it apply them, then stop the slave. */
async function applyReceived(c: Connection, waitSec: number) {
  const row = await slaveStatus(c);
  if (row && row.Slave_SQL_Running !== "Yes" && !Number(row.Last_SQL_Errno)) await controlSlave(c, "start-sql");
  if (row?.Gtid_IO_Pos && !Number(row.Last_SQL_Errno))
    await c.query("SELECT MASTER_GTID_WAIT(?, ?)", [row.Gtid_IO_Pos, waitSec]);
  await controlSlave(c, "full-stop");
}

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
        const startedAt = performance.now();
        const servers = await resolveServers(master.ownerId);
        const f: Failover = {
          actor,
          servers,
          wanted: input.candidate,
          automatic: opts.automatic ?? false,
          startedAt,
          master: servers.get(master.name),
          report: null as unknown as Preflight, // set by the second phase
          reachable: [],
          chosen: null,
          others: [],
          promotionMs: 0,
          endpointMs: 0,
          repointed: [],
        };
        await runPhases(f, phases, step);
        const repointed = f.repointed.map((e) => e.name);
        return {
          newMaster: chosenOf(f).name,
          lostTransactions: f.report.lost,
          promotionMs: f.promotionMs,
          endpointMs: f.endpointMs,
          repointed,
          notRepointed: f.others.map((o) => o.name).filter((n) => !repointed.includes(n)),
        };
      }),
  );
}

export const failoverPolicyInput = z.strictObject({
  autoFailover: z.boolean(),
  /** How long the master must stay dead, on every probe and with no slave still receiving from it. */
  confirmMs: z.number().int().min(200).max(3_600_000).optional(),
  /** Deprecated (before confirmMs): the same window in seconds, still accepted from older API clients. */
  graceSec: z.number().int().min(1).max(3600).optional(),
  /** The policy revision the form showed (environment → failoverPolicyRevision); a newer one refuses the save. */
  baseRevision: z.number().int().min(0).optional(),
});

export async function getFailoverPolicy(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return {
    autoFailover: env.autoFailover,
    confirmMs: env.failoverConfirmMs,
    graceSec: Math.ceil(env.failoverConfirmMs / 1000), // deprecated: for API clients written before confirmMs
    revision: env.failoverPolicyRevision,
    updatedBy: env.failoverPolicyBy,
    updatedAt: env.failoverPolicyAt,
  };
}

export async function setFailoverPolicy(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { baseRevision, graceSec, ...input } = parseInput(failoverPolicyInput, raw);
  const confirmMs = input.confirmMs ?? (graceSec ? graceSec * 1000 : undefined);
  // Compare-and-set in the store when the caller names its base; without one, last writer wins.
  const { count } = await db().environment.updateMany({
    where: { id: env.id, ...(baseRevision !== undefined ? { failoverPolicyRevision: baseRevision } : {}) },
    data: {
      autoFailover: input.autoFailover,
      ...(confirmMs ? { failoverConfirmMs: confirmMs } : {}),
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
  return { autoFailover: input.autoFailover, confirmMs: now.failoverConfirmMs, revision: now.failoverPolicyRevision };
}
