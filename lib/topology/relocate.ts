import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { getEnvironment, listEnvironments, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { parseGtid, transactionsMissing } from "@/lib/mariadb/gtid";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { ensureReplicationAccount } from "./account";
import { descendants, discoverTopology, serverFacts, type Topology } from "./discover";
import { followNewMaster } from "./endpoints";
import { applyOptions, pointAt, waitReplicating } from "./steps";

// Chained replication: make a slave a master of its own, and move a slave under another server.

// ---- Chained replication ----

/** Makes a server able to feed others: binary log with replicated events (restart), and its replication account. */
export async function makeMaster(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  await applyOptions(
    actor,
    name,
    { "log-bin": "mysql-bin", "log-slave-updates": "ON", "binlog-format": "mixed" },
    "Can feed other slaves (log-bin + log-slave-updates)",
  );
  await ensureReplicationAccount(await getEnvironment(actor, env.name));
  return { name };
}

export const moveInput = z.strictObject({ newMaster: environmentName });

/**
 * Why a move is illegal, in plain words; null when it is fine. `positions` must be read child first, then
 * parent: under writes a parent read earlier than its child would look behind it.
 */
export function moveRefusal(
  topology: Topology,
  child: string,
  parent: string,
  positions: { child: string; parent: string },
): string | null {
  if (child === parent) return `${child} cannot replicate from itself`;
  const c = topology.nodes.find((n) => n.name === child);
  const p = topology.nodes.find((n) => n.name === parent);
  if (!c?.facts?.slave) return `${child} is not a slave: configure its master first`;
  if (!p?.facts) return `${parent} is not running`;
  if (c.master === parent) return `${child} already replicates from ${parent}`;
  if (descendants(topology, child).has(parent))
    return `${parent} replicates (directly or not) from ${child}: that would make a cycle`;
  if (!p.facts.logBin) return `Binary logging is off on ${parent}: use "Make it a master" on ${parent} first`;
  if (p.facts.slave && !p.facts.logSlaveUpdates)
    return `${parent} does not write replicated events to its binary log (log-slave-updates is off): use "Make it a master" on ${parent} first`;
  const behind = transactionsMissing(parseGtid(positions.child), parseGtid(positions.parent));
  if (behind > 0) return `${parent} is ${behind} transaction(s) behind ${child}; wait until it catches up`;
  return null;
}

/** Why moving `child` under `parent` is illegal right now (null: fine), from a fresh look at the owner's servers. */
async function judgeMove(actor: Actor, child: EnvironmentWithNodes, parent: EnvironmentWithNodes) {
  const own = (await listEnvironments(actor)).filter((e) => e.ownerId === child.ownerId);
  const topology = await discoverTopology(actor, own);
  const childPos = (await serverFacts(child).catch(() => null))?.gtidSlavePos ?? "";
  const parentPos = (await serverFacts(parent).catch(() => null))?.gtidCurrentPos ?? "";
  return { topology, refusal: moveRefusal(topology, child.name, parent.name, { child: childPos, parent: parentPos }) };
}

/** What a move would do, in the words of the confirmation (or why it cannot be done), without changing anything. */
export async function planMove(actor: Actor, name: string, raw: unknown) {
  const child = await getEnvironment(actor, name);
  const input = parseInput(moveInput, raw);
  const parent = await getEnvironment(actor, input.newMaster);
  const { topology, refusal } = await judgeMove(actor, child, parent);
  const from = topology.nodes.find((n) => n.name === child.name)?.master ?? "its master";
  const below = descendants(topology, child.name).size;
  return {
    refusal,
    summary:
      `${child.name} stops replicating from ${from} and replicates from ${parent.name} instead, from the same GTID ` +
      `position: no data is copied` +
      (below ? `; its ${below} slave(s) move with it.` : "."),
  };
}

/**
 * Moves a slave under another server (a slave, for a chain, or back to the master) keeping its GTID position;
 * judged under the topology lock, so a refusal is an audited, failed operation. The endpoints of its old and new
 * source follow (readers are each master's direct slaves).
 */
export async function beginMove(actor: Actor, name: string, raw: unknown) {
  const child = await getEnvironment(actor, name);
  const input = parseInput(moveInput, raw);
  const parent = await getEnvironment(actor, input.newMaster);
  return beginOperation(
    { userId: actor.id, action: "topology.move", environmentId: child.id, target: child.name, params: input },
    (step) =>
      topologyLock(child.ownerId, async () => {
        await step(`checking that ${parent.name} can feed ${child.name}`);
        const { topology, refusal } = await judgeMove(actor, child, parent);
        if (refusal) throw new ServiceError(409, "illegal_move", refusal);
        const from = topology.nodes.find((n) => n.name === child.name)?.master;
        await step(`repointing ${child.name} to ${parent.name} (GTID slave_pos)`);
        const login = await ensureReplicationAccount(parent);
        await pointAt(child, login);
        await step(`waiting until ${child.name} replicates from ${parent.name}`);
        await waitReplicating(child);
        for (const source of new Set([from, parent.name]))
          if (source && topology.nodes.some((n) => n.name === source)) {
            const { count } = await followNewMaster(actor, source, source);
            if (count) await step(`${source}'s endpoints follow: their readers are its direct slaves`);
          }
        return { name: child.name, master: parent.name };
      }),
  );
}

export async function moveSlave(actor: Actor, name: string, raw: unknown) {
  return (await beginMove(actor, name, raw)).done;
}
