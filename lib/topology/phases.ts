import { db } from "@/lib/db/client";
import type { EnvironmentWithNodes } from "@/lib/environments/service";
import { notFound } from "@/lib/errors";

// An operation is a list of named phases over a context resolved once (mariadb-operator's switchover phases).

export type Step = (name: string) => Promise<void>;

export interface Phase<C> {
  /** What the user sees in the live steps while the phase runs (null: the phase reports its own steps). */
  label: (ctx: C) => string | null;
  run: (ctx: C, step: Step) => Promise<void>;
}

/** Runs the phases in order, each announced as a step; the first failure stops the operation. */
export async function runPhases<C>(ctx: C, phases: Phase<C>[], step: Step): Promise<void> {
  for (const phase of phases) {
    const label = phase.label(ctx);
    if (label) await step(label);
    await phase.run(ctx, step);
  }
}

/**
 * Every server of the owner's topology, read from the store once at the start of an operation (no lookups between
 * phases). The caller has already checked that the actor may operate on this owner's master.
 */
export async function resolveServers(ownerId: string): Promise<Servers> {
  const all = await db().environment.findMany({
    where: { ownerId },
    include: { nodes: true },
    orderBy: { createdAt: "asc" },
  });
  const byName = new Map(all.map((e) => [e.name, e]));
  return {
    all,
    get: (name) => {
      const env = byName.get(name);
      if (!env) throw notFound(`Environment "${name}"`);
      return env;
    },
  };
}

export interface Servers {
  all: EnvironmentWithNodes[];
  get: (name: string) => EnvironmentWithNodes;
}
