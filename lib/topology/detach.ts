import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, listEnvironments, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { controlSlave, setReadOnly, slaveStatus, waitForGtid } from "@/lib/mariadb/replication";
import { beginOperation } from "@/lib/operations";
import { descendants, discoverTopology, type Topology } from "./discover";
import { followNewMaster } from "./endpoints";
import { applyOptions } from "./steps";

// Detach: a slave leaves its cluster and becomes a standalone (writable) server with everything it received.

const APPLY_WAIT_SECONDS = 30;

/** Why `name` cannot be detached (null: it can). */
export function detachRefusal(topology: Topology, name: string): string | null {
  const node = topology.nodes.find((n) => n.name === name);
  if (!node?.facts) return `${name} is not running`;
  const { slave, connections } = node.facts;
  if (!slave) return `${name} does not replicate from anyone: there is nothing to detach`;
  const named = connections.filter((c) => c.name !== "").map((c) => `'${c.name}'`);
  if (named.length)
    return `${name} also replicates through named connections ${named.join(", ")}: remove them on its Replication tab first`;
  if (slave.Slave_SQL_Running !== "Yes")
    return `${name}'s SQL thread is not running${slave.Last_SQL_Error ? ` (${slave.Last_SQL_Error})` : ""}: what it received would be lost; start it or fix the error first`;
  return null;
}

/** Judged on a fresh look at the owner's servers only. */
async function judge(actor: Actor, env: EnvironmentWithNodes) {
  const own = (await listEnvironments(actor)).filter((e) => e.ownerId === env.ownerId);
  const topology = await discoverTopology(actor, own);
  return { topology, refusal: detachRefusal(topology, env.name) };
}

/** What detaching would do, in the words of the confirmation (or why it cannot be done); changes nothing. */
export async function planDetach(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const { topology, refusal } = await judge(actor, env);
  const master = topology.nodes.find((n) => n.name === env.name)?.master ?? "its master";
  const below = descendants(topology, env.name).size;
  const kept = env.keptBy ? await db().environment.findUnique({ where: { id: env.keptBy } }) : null;
  return {
    refusal,
    summary:
      `${env.name} first applies everything it has received from ${master}, then stops replicating for good and ` +
      `becomes a standalone, writable server with that data` +
      (below ? `; its ${below} slave(s) stay under it.` : ".") +
      (kept ? ` ${kept.name} keeps ${kept.desiredSlaves} slave(s) (healing): it will add one to replace it.` : ""),
  };
}

/**
 * my.cnf first (nothing live has changed if it is refused), then the relay log applied, then the master
 * forgotten and writes allowed; the old master's endpoints stop reading from it.
 */
export async function beginDetach(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return beginOperation(
    { userId: actor.id, action: "topology.detach", environmentId: env.id, target: env.name, params: {} },
    (step) =>
      topologyLock(env.ownerId, async () => {
        const { topology, refusal } = await judge(actor, env);
        if (refusal) throw new ServiceError(409, "illegal_detach", refusal);
        const master = topology.nodes.find((n) => n.name === env.name)!.master!;
        await step(`writing the standalone role into ${env.name}'s my.cnf (no read-only at its next start)`);
        await applyOptions(actor, env.name, { "read-only": null }, "Detached: a standalone server", false);
        await step(`stopping ${env.name}'s IO thread and applying what it received from ${master}`);
        const applied = await asRoot(env, async (c) => {
          await controlSlave(c, "stop-io");
          const received = String((await slaveStatus(c))?.Gtid_IO_Pos ?? "");
          if (await waitForGtid(c, received, APPLY_WAIT_SECONDS)) return true;
          await controlSlave(c, "start-io");
          return false;
        });
        if (!applied) {
          await applyOptions(actor, env.name, { "read-only": "ON" }, "Detach abandoned: read-only again", false);
          throw new ServiceError(
            409,
            "not_applied",
            `${env.name} did not apply what it received within ${APPLY_WAIT_SECONDS} s: it replicates from ${master} again; detach it once it has caught up`,
          );
        }
        await step(`forgetting ${master} (RESET SLAVE ALL) and accepting writes`);
        await asRoot(env, async (c) => {
          await controlSlave(c, "remove");
          await setReadOnly(c, false);
        });
        await db().environment.update({ where: { id: env.id }, data: { keptBy: null, observedMaster: null } });
        if (topology.nodes.some((n) => n.name === master)) {
          const { count } = await followNewMaster(actor, master, master);
          if (count) await step(`${master}'s endpoints no longer read from ${env.name}`);
        }
        return { name: env.name, master: null };
      }),
  );
}
