// Healing a topology on a Swarm: a master keeps N slaves, counted by membership (each kept slave records its
// master), so a slave that restarts or is stopped is still one of them; only one whose node is lost (down or
// drained: "unreachable") is replaced, on a healthy node, seeded from the master. Judging (a pure function) stays
// apart from acting (Add slave, audited like a manual one).
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { actorById } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { isLocked } from "@/lib/locks";
import { slaveStatus } from "@/lib/mariadb/replication";
import { runOperation } from "@/lib/operations";
import { swarmOf } from "@/lib/runtime/runtime";
import { parseInput } from "@/lib/validation";
import { judgeHealing, type HealingVerdict } from "./analysis/healing";
import { discoverTopology } from "./discover";
import { beginAddSlaves } from "./seed";

export const healingInput = z.strictObject({
  keepSlaves: z.number().int().min(0, "Keep 0 or more slaves").max(10, "At most 10 slaves"),
});

/** How long a kept slave must stay lost before it is replaced (a node that blips back is not a loss). */
export const HEAL_CONFIRM_MS = () => Number(process.env.MARINER_HEAL_CONFIRM_SECONDS ?? 10) * 1000;
/** After a failed healing, the next try waits this long (the failure is in the audit log meanwhile). */
const HEAL_BACKOFF_MS = 60_000;

const HEALING_ACTIONS = ["topology.heal", "topology.healing", "topology.failover", "topology.add-slaves"];

/** The kept count and the last healing-related operations of this master, with their steps (the audit log's). */
export async function getHealing(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const recent = await db().operation.findMany({
    where: { environmentId: env.id, action: { in: HEALING_ACTIONS } },
    orderBy: { startedAt: "desc" },
    take: 5,
  });
  return {
    keepSlaves: env.desiredSlaves,
    onSwarm: swarmOf(env.runtime) !== null,
    recent: recent.map((o) => ({
      id: o.id,
      action: o.action,
      status: o.status,
      error: o.error,
      startedAt: o.startedAt,
      steps: (JSON.parse(o.steps) as { name: string; at: string }[]).map((s) => s.name),
    })),
  };
}

/** Keep N slaves of a master on a Swarm; the slaves replicating from it now become the kept ones. */
export async function setHealing(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { keepSlaves } = parseInput(healingInput, raw);
  if (keepSlaves > 0 && !swarmOf(env.runtime))
    throw new ServiceError(
      409,
      "not_on_swarm",
      `Healing replaces lost slaves on a Swarm; ${env.name} runs on ${env.runtime}. Add slaves by hand there.`,
    );
  if (keepSlaves > 0 && env.status !== "running")
    throw new ServiceError(
      409,
      "not_running",
      `${env.name} is ${env.status}: healing keeps the slaves of a running master`,
    );
  if (keepSlaves > 0 && (await asRoot(env, slaveStatus))?.Master_Host)
    throw new ServiceError(409, "is_a_slave", `${env.name} is a slave: set healing on the master of its topology`);
  return runOperation(
    { userId: actor.id, action: "topology.healing", environmentId: env.id, target: env.name, params: { keepSlaves } },
    async (step) => {
      const replicating = keepSlaves
        ? (await discoverTopology(actor)).edges.filter((e) => e.from === env.name).map((e) => e.to)
        : [];
      await db().$transaction([
        db().environment.updateMany({ where: { keptBy: env.id }, data: { keptBy: null } }),
        db().environment.updateMany({
          where: { ownerId: env.ownerId, name: { in: replicating } },
          data: { keptBy: env.id },
        }),
        db().environment.update({ where: { id: env.id }, data: { desiredSlaves: keepSlaves } }),
      ]);
      if (keepSlaves) await step(`keeping ${keepSlaves}; replicating now: ${replicating.join(", ") || "none"}`);
      return { keepSlaves, kept: replicating };
    },
  );
}

const g = globalThis as unknown as {
  marinerShortSince?: Map<string, number>;
  marinerHealing?: Set<string>;
  marinerHealFailedAt?: Map<string, number>;
};
const shortSince = (g.marinerShortSince ??= new Map());
/** Masters being healed now: the monitor does not wait for an Add slave, nor start a second one. */
const healing = (g.marinerHealing ??= new Set());
const failedAt = (g.marinerHealFailedAt ??= new Map());

/**
 * Acting, from the monitor (not awaited by it): masters on a Swarm that keep slaves and have had too few for
 * HEAL_CONFIRM_MS get the missing ones through Add slave (another node than the master, spread, healthy nodes).
 */
export async function healTopologies(): Promise<string[]> {
  const masters = await db().environment.findMany({
    where: { desiredSlaves: { gt: 0 }, status: "running", desiredState: "running" },
  });
  const started: string[] = [];
  for (const m of masters) {
    if (!swarmOf(m.runtime) || healing.has(m.id) || isLocked(`topology:${m.ownerId}`) || isLocked(m.id)) continue;
    if (Date.now() - (failedAt.get(m.id) ?? 0) < HEAL_BACKOFF_MS) continue;
    const members = await db().environment.findMany({ where: { keptBy: m.id }, select: { name: true, status: true } });
    const verdict = judgeHealing(m.desiredSlaves, members);
    if (!verdict.missing) {
      shortSince.delete(m.id);
      continue;
    }
    const since = shortSince.get(m.id) ?? Date.now();
    shortSince.set(m.id, since);
    if (Date.now() - since < HEAL_CONFIRM_MS()) continue;
    const actor = await actorById(m.ownerId);
    if (!actor) continue;
    shortSince.delete(m.id);
    started.push(m.name);
    healing.add(m.id);
    heal(actor, m.id, m.name, verdict)
      .then(() => failedAt.delete(m.id))
      .catch((e) => {
        failedAt.set(m.id, Date.now());
        console.error(`Mariner: healing ${m.name}: ${(e as Error).message}`);
      })
      .finally(() => healing.delete(m.id));
  }
  return started;
}

async function heal(actor: Actor, masterId: string, master: string, verdict: HealingVerdict) {
  const keep = verdict.counted.length + verdict.missing;
  return runOperation(
    { userId: actor.id, action: "topology.heal", environmentId: masterId, target: master, params: { keep } },
    async (step) => {
      await step(
        `${verdict.counted.length} of ${keep} kept slaves of ${master} count` +
          (verdict.lost.length ? `; lost with their node: ${verdict.lost.join(", ")}` : ""),
      );
      const { operationId: added, done } = await beginAddSlaves(
        actor,
        master,
        { count: verdict.missing },
        { replacing: true },
      );
      await step(`adding ${verdict.missing} replacement slave(s) on healthy nodes (operation ${added})`);
      const { slaves } = (await done) as { slaves: string[] };
      // The lost ones are no longer counted: if their node comes back they are extra slaves, shown, not kept.
      await db().environment.updateMany({
        where: { keptBy: masterId, name: { in: verdict.lost } },
        data: { keptBy: null },
      });
      await step(`${slaves.join(", ")} replicating from ${master}: ${keep} slaves again`);
      return { added: slaves };
    },
  );
}
