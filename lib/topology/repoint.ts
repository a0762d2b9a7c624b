import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, type EnvironmentWithNodes } from "@/lib/environments/service";
import { changeMaster, controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import type { ReplicationLogin } from "./account";
import { discoverTopology, type TopologyEdge } from "./discover";
import type { Servers, Step } from "./phases";
import { handOverSemiSync, semiSyncOptionsUnder } from "./semisync";
import { handOverArchive } from "@/lib/backups/binlog-archive";
import { applyOptions, pointAt } from "./steps";

// After a promotion (switchover or failover): roles written into my.cnf, the other slaves following the new master.

export async function persistRole(
  actor: Actor,
  name: string,
  role: "master" | "slave",
  semiSync: Record<string, string | null> = {},
) {
  await applyOptions(
    actor,
    name,
    {
      ...(role === "master" ? { "read-only": null } : { "read-only": "ON", "log-slave-updates": "ON" }),
      ...semiSync,
    },
    `Role: ${role} (switchover/failover)`,
    false,
  );
}

/** Both roles in my.cnf at once: restarted later, the new master is writable and the old one read-only. */
export async function persistRoles(actor: Actor, oldMaster: string, newMaster: string, step: Step) {
  const [old, now] = await Promise.all([getEnvironment(actor, oldMaster), getEnvironment(actor, newMaster)]);
  await handOverKeptSlaves(old, now);
  await handOverSemiSync(old, now);
  await handOverArchive(old, now);
  await persistRole(actor, newMaster, "master", semiSyncOptionsUnder(old, "master")).catch((e) =>
    step(`could not remove read-only from ${newMaster}'s my.cnf: ${(e as Error).message}`),
  );
  await persistRole(actor, oldMaster, "slave", semiSyncOptionsUnder(old, "slave")).catch((e) =>
    step(`could not write read-only into ${oldMaster}'s my.cnf: ${(e as Error).message}`),
  );
}

/** The slaves a topology keeps (healing) are the master's: count and members move with the role. */
async function handOverKeptSlaves(old: EnvironmentWithNodes, now: EnvironmentWithNodes) {
  if (!old.desiredSlaves) return;
  await db().$transaction([
    db().environment.update({ where: { id: now.id }, data: { desiredSlaves: old.desiredSlaves, keptBy: null } }),
    db().environment.updateMany({ where: { keptBy: old.id }, data: { keptBy: now.id } }),
    db().environment.update({ where: { id: old.id }, data: { desiredSlaves: 0 } }),
  ]);
}

/**
 * The other slaves follow the new master. Best effort: the new master is already serving, so one slave that
 * cannot be repointed is reported in the steps (and the result), not a reason to abort half-way.
 */
export async function repointAll(
  slaves: EnvironmentWithNodes[],
  login: ReplicationLogin,
  step: Step,
): Promise<EnvironmentWithNodes[]> {
  const results = await Promise.all(
    slaves.map(async (slave) => {
      try {
        await pointAt(slave, login);
        return slave;
      } catch (e) {
        await step(
          `could not repoint ${slave.name}: ${(e as Error).message} (point it at the new master from its Topology tab)`,
        );
        return null;
      }
    }),
  );
  return results.filter((s): s is EnvironmentWithNodes => s !== null);
}

/**
 * Named (multi-source) connections that read from the old master follow the new one too: by GTID, which the
 * new master shares with the old. A connection on file/position cannot be carried over: the step says so.
 */
export async function repointNamedConnections(
  named: { edge: TopologyEdge; slave: EnvironmentWithNodes }[],
  newMaster: string,
  login: ReplicationLogin,
  step: Step,
) {
  for (const { edge, slave } of named) {
    try {
      const usesGtid = (await asRoot(slave, (c) => slaveStatus(c, edge.connection)))?.Using_Gtid !== "No";
      if (!usesGtid) {
        await step(
          `${edge.to}'s connection '${edge.connection}' uses file/position: point it at ${newMaster} by hand (Replication → Add source)`,
        );
        continue;
      }
      await step(`repointing ${edge.to}'s connection '${edge.connection}' to ${newMaster}`);
      await asRoot(slave, async (c) => {
        await changeMaster(c, { ...login, mode: "gtid" }, edge.connection);
        await controlSlave(c, "full-start", 1, edge.connection);
      });
    } catch (err) {
      await step(`could not repoint ${edge.to}'s connection '${edge.connection}': ${(err as Error).message}`);
    }
  }
}

/** The named connections that read from `master`, with the slaves holding them (discovered once, before repointing). */
export async function namedConnectionsFrom(actor: Actor, master: string, servers: Servers) {
  const edges = (await discoverTopology(actor, servers.all)).edges;
  return edges
    .filter((e) => e.from === master && e.connection !== "")
    .map((edge) => ({ edge, slave: servers.get(edge.to) }));
}
