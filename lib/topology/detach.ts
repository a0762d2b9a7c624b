import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { controlSlave } from "@/lib/mariadb/replication";
import { beginOperation } from "@/lib/operations";
import { descendants, discoverTopology, type Topology } from "./discover";
import { applyOptions } from "./steps";

// Detach: a slave leaves its cluster and becomes a standalone (writable) server with the data it has.

/** Why `name` cannot be detached (null: it can). */
export function detachRefusal(topology: Topology, name: string): string | null {
  const node = topology.nodes.find((n) => n.name === name);
  if (!node?.facts) return `${name} is not running`;
  if (!node.facts.slave) return `${name} does not replicate from anyone: there is nothing to detach`;
  return null;
}

async function judge(actor: Actor, name: string) {
  const topology = await discoverTopology(actor);
  return { topology, refusal: detachRefusal(topology, name) };
}

/** What detaching would do, in the words of the confirmation (or why it cannot be done); changes nothing. */
export async function planDetach(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const { topology, refusal } = await judge(actor, env.name);
  const master = topology.nodes.find((n) => n.name === env.name)?.master ?? "its master";
  const below = descendants(topology, env.name).size;
  const kept = env.keptBy ? await db().environment.findUnique({ where: { id: env.keptBy } }) : null;
  return {
    refusal,
    summary:
      `${env.name} stops replicating from ${master} for good and becomes a standalone, writable server with the ` +
      `data it has now` +
      (below ? `; its ${below} slave(s) stay under it.` : ".") +
      (kept ? ` ${kept.name} keeps ${kept.desiredSlaves} slave(s) (healing): it will add one to replace it.` : ""),
  };
}

export async function beginDetach(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const first = await judge(actor, env.name);
  if (first.refusal) throw new ServiceError(409, "illegal_detach", first.refusal);
  return beginOperation(
    { userId: actor.id, action: "topology.detach", environmentId: env.id, target: env.name, params: {} },
    (step) =>
      topologyLock(env.ownerId, async () => {
        const { topology, refusal } = await judge(actor, env.name);
        if (refusal) throw new ServiceError(409, "illegal_detach", refusal);
        const master = topology.nodes.find((n) => n.name === env.name)?.master;
        await step(`stopping ${env.name}'s replication from ${master} and forgetting it (RESET SLAVE ALL)`);
        await asRoot(env, async (c) => {
          await controlSlave(c, "remove");
          await c.query("SET GLOBAL read_only = 0");
        });
        await db().environment.update({ where: { id: env.id }, data: { keptBy: null, observedMaster: null } });
        await step(`removing read-only from ${env.name}'s my.cnf`);
        await applyOptions(actor, env.name, { "read-only": null }, "Detached: a standalone server", false);
        return { name: env.name, master: null };
      }),
  );
}
