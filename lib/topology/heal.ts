// Healing a topology on a Swarm: a master keeps N slaves; when fewer replicate from it (their node went down or was
// drained), replacements are added on healthy nodes, seeded from the master. Judging (a pure function over the
// discovered topology) stays apart from acting (Add slave, under the same operation log as a manual one).
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { actorById } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { isLocked } from "@/lib/locks";
import { runOperation } from "@/lib/operations";
import { swarmOf } from "@/lib/runtime/runtime";
import { parseInput } from "@/lib/validation";
import { discoverTopology, type Topology } from "./discover";
import { beginAddSlaves } from "./seed";

export const healingInput = z.strictObject({
  keepSlaves: z.number().int().min(0, "Keep 0 or more slaves").max(10, "At most 10 slaves"),
});

/** How long fewer slaves must replicate before replacements are made (a restart or a repoint is not a loss). */
export const HEAL_CONFIRM_MS = () => Number(process.env.MARINER_HEAL_CONFIRM_SECONDS ?? 10) * 1000;

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

export async function setHealing(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { keepSlaves } = parseInput(healingInput, raw);
  if (keepSlaves > 0 && !swarmOf(env.runtime))
    throw new ServiceError(
      409,
      "not_on_swarm",
      `Healing replaces lost slaves on a Swarm; ${env.name} runs on ${env.runtime}. Add slaves by hand there.`,
    );
  return runOperation(
    { userId: actor.id, action: "topology.healing", environmentId: env.id, target: env.name, params: { keepSlaves } },
    async () => {
      await db().environment.update({ where: { id: env.id }, data: { desiredSlaves: keepSlaves } });
      return { keepSlaves };
    },
  );
}

export interface HealingVerdict {
  /** Slaves reachable and replicating (or trying to) from the master. */
  replicating: string[];
  /** Servers of the topology that do not answer: named in the log, not deleted (their data stays theirs). */
  lost: string[];
  missing: number;
}

/** Judging: how many of the kept slaves replicate from `master` now, and which servers of the owner are lost. */
export function judgeHealing(topology: Topology, master: string, keep: number): HealingVerdict {
  const replicating = topology.edges.filter((e) => e.from === master).map((e) => e.to);
  const lost = topology.nodes
    .filter((n) => n.name !== master && !n.facts && ["unreachable", "down"].includes(n.status))
    .map((n) => `${n.name} (${n.status})`);
  return { replicating, lost, missing: Math.max(0, keep - replicating.length) };
}

const g = globalThis as unknown as { marinerShortSince?: Map<string, number>; marinerHealing?: Set<string> };
const shortSince = (g.marinerShortSince ??= new Map());
/** Masters being healed now: the monitor does not wait for an Add slave, nor start a second one. */
const healing = (g.marinerHealing ??= new Set());

/**
 * Acting, from the monitor: masters on a Swarm that keep slaves and have had too few for HEAL_CONFIRM_MS get
 * the missing ones through Add slave (another node than the master, spread, healthy nodes only).
 */
export async function healTopologies(): Promise<string[]> {
  const masters = await db().environment.findMany({
    where: { desiredSlaves: { gt: 0 }, status: "running", desiredState: "running" },
  });
  const started: string[] = [];
  for (const m of masters) {
    if (!swarmOf(m.runtime) || healing.has(m.id) || isLocked(`topology:${m.ownerId}`) || isLocked(m.id)) continue;
    const actor = await actorById(m.ownerId);
    if (!actor) continue;
    const verdict = judgeHealing(await discoverTopology(actor), m.name, m.desiredSlaves);
    if (!verdict.missing) {
      shortSince.delete(m.id);
      continue;
    }
    const since = shortSince.get(m.id) ?? Date.now();
    shortSince.set(m.id, since);
    if (Date.now() - since < HEAL_CONFIRM_MS()) continue;
    shortSince.delete(m.id);
    started.push(m.name);
    healing.add(m.id);
    heal(actor, m.name, verdict)
      .catch((e) => console.error(`Mariner: healing ${m.name}: ${(e as Error).message}`))
      .finally(() => healing.delete(m.id));
  }
  return started;
}

async function heal(actor: Actor, master: string, verdict: HealingVerdict) {
  const env = await getEnvironment(actor, master);
  const keep = env.desiredSlaves;
  return runOperation(
    { userId: actor.id, action: "topology.heal", environmentId: env.id, target: master, params: { keep } },
    async (step) => {
      await step(
        `${verdict.replicating.length} of ${keep} slaves replicate from ${master}` +
          (verdict.lost.length ? `; not answering: ${verdict.lost.join(", ")}` : ""),
      );
      const { operationId: added, done } = await beginAddSlaves(
        actor,
        master,
        { count: verdict.missing },
        { replacing: true },
      );
      await step(`adding ${verdict.missing} replacement slave(s) on healthy nodes (operation ${added})`);
      const { slaves } = (await done) as { slaves: string[] };
      await step(`${slaves.join(", ")} replicating from ${master}: ${keep} slaves again`);
      return { added: slaves };
    },
  );
}
