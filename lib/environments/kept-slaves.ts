// A slave deleted on purpose is not one to replace: the master it replicates from keeps one slave fewer (healing,
// lib/topology/heal.ts). A slave that does not answer is not asked: healing may already have replaced it.
import { db } from "@/lib/db/client";
import { slaveStatus } from "@/lib/mariadb/replication";
import { swarmOf } from "@/lib/runtime/runtime";
import type { EnvironmentWithNodes } from "./lookup";
import { asRoot } from "./root";

export async function releaseKeptSlot(env: EnvironmentWithNodes) {
  if (!swarmOf(env.runtime) || env.status !== "running") return;
  const masters = await db().environment.findMany({
    where: { ownerId: env.ownerId, runtime: env.runtime, desiredSlaves: { gt: 0 } },
    include: { nodes: true },
  });
  if (!masters.length) return;
  const row = await asRoot(env, slaveStatus).catch(() => null);
  const source = row ? `${row.Master_Host}:${row.Master_Port}` : null;
  const master = masters.find((m) => m.nodes[0] && `${m.nodes[0].host}:${m.nodes[0].port}` === source);
  if (master) await db().environment.update({ where: { id: master.id }, data: { desiredSlaves: { decrement: 1 } } });
}
