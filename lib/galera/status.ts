// What the cluster page shows: every member looked at in parallel (bounded), judged by health.ts.
import type { Actor } from "@/lib/auth/actor";
import { driverFor } from "@/lib/runtime";
import { nodeRefOf } from "@/lib/environments/spec";
import { judgeCluster, type MemberLook } from "./health";
import { getCluster, lookAtMember, type ClusterWithMembers } from "./members";

export async function lookAtCluster({ members }: Pick<ClusterWithMembers, "members">): Promise<MemberLook[]> {
  return Promise.all(
    members.map(async (m) => {
      const node = m.nodes[0];
      const ref = nodeRefOf(node);
      const running =
        m.status !== "creating" &&
        (await driverFor(m.runtime)
          .isAlive(ref)
          .catch(() => false));
      return {
        name: m.name,
        address: `${node.host}:${node.port}`,
        running,
        wsrep: running ? await lookAtMember(ref) : null,
      };
    }),
  );
}

export async function clusterStatus(actor: Actor, name: string) {
  const found = await getCluster(actor, name);
  const looks = await lookAtCluster(found);
  const { cluster } = found;
  return {
    name: cluster.name,
    clusterName: cluster.clusterName,
    status: cluster.status,
    statusDetail: cluster.statusDetail,
    members: looks,
    health: judgeCluster(looks),
  };
}
