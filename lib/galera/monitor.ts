// What the monitor asks about Galera clusters: after a console restart, clusters whose membership change was
// interrupted; before restarting a crashed member, whether another one runs (else it is a cluster recovery).
import { db } from "@/lib/db/client";
import { nodeRefOf } from "@/lib/environments/spec";
import { driverFor } from "@/lib/runtime";

/**
 * A cluster whose create was interrupted goes whole, like a half-created environment (its members are marked
 * "creating" for the caller to remove); one whose delete was interrupted can be deleted again.
 */
export async function settleInterruptedClusters(): Promise<void> {
  for (const c of await db().galeraCluster.findMany({
    where: { status: { in: ["creating", "adding", "deleting"] } },
  })) {
    // A node being added is removed by the caller like any half-created environment; the cluster is whole.
    if (c.status === "adding") await db().galeraCluster.update({ where: { id: c.id }, data: { status: "running" } });
    else if (c.status === "creating") {
      await db().environment.updateMany({ where: { galeraClusterId: c.id }, data: { status: "creating" } });
      await db().galeraCluster.delete({ where: { id: c.id } });
    } else
      await db().galeraCluster.update({
        where: { id: c.id },
        data: { status: "failed", statusDetail: "The console stopped while this cluster was being deleted" },
      });
  }
}

export async function anotherMemberRunning(clusterId: string, self: string): Promise<boolean> {
  const siblings = await db().environment.findMany({
    where: { galeraClusterId: clusterId, id: { not: self } },
    include: { nodes: true },
  });
  for (const s of siblings)
    if (
      s.nodes[0] &&
      (await driverFor(s.runtime)
        .isAlive(nodeRefOf(s.nodes[0]))
        .catch(() => false))
    )
      return true;
  return false;
}
