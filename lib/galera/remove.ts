// Removing one member (its server and row; the others' my.cnf then list the rest) and deleting a whole cluster.
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { deleteEnvironment } from "@/lib/environments/service";
import { runOperation } from "@/lib/operations";
import { lookAtCluster } from "./status";
import { deleteGaleraEndpoints, galeraEndpointOf, refreshGaleraEndpoints } from "./endpoints";
import { assertSettled, claimCluster, getCluster, membersOf, withMemberLocks, writeMemberOptions } from "./members";

/** A cluster keeps at least this many members: below it, one failure would leave nothing to fail over to. */
const MIN_MEMBERS = 2;

export async function removeMember(actor: Actor, name: string, member: string) {
  const found = await getCluster(actor, name);
  assertSettled(found.cluster);
  const target = found.members.find((m) => m.name === member);
  if (!target) throw new ServiceError(404, "not_found", `"${member}" is not a member of "${name}"`);
  if (found.members.length <= MIN_MEMBERS)
    throw new ServiceError(
      409,
      "too_few_members",
      `A cluster keeps ${MIN_MEMBERS} members: delete the cluster instead`,
    );
  // Never the member that holds what the others lack: the rest must be Synced in a primary component.
  const rest = (await lookAtCluster(found)).filter((l) => l.name !== member);
  const behind = rest.filter((l) => l.wsrep?.state !== "Synced" || l.wsrep.clusterStatus !== "Primary");
  if (behind.length)
    throw new ServiceError(
      409,
      "not_synced",
      `${behind.map((l) => l.name).join(", ")} ${behind.length > 1 ? "are" : "is"} not Synced: removing ${member} now could lose what only it holds. Recover the cluster first.`,
    );
  return runOperation({ userId: actor.id, action: "galera.remove-node", target: `${name}/${member}` }, (step) =>
    withMemberLocks(
      found.members.map((m) => m.id),
      async () => {
        await step(`stopping and deleting ${member} (it leaves the cluster cleanly)`);
        await deleteEnvironment(actor, member, { memberOf: found.cluster.id });
        const rest = await membersOf(found.cluster);
        await step("writing the remaining members' cluster address");
        for (const m of rest) await writeMemberOptions(found.cluster, m, rest);
        await refreshGaleraEndpoints(found.cluster.id);
        return { members: rest.map((m) => m.name) };
      },
    ),
  );
}

export async function deleteCluster(actor: Actor, name: string) {
  const found = await getCluster(actor, name);
  assertSettled(found.cluster);
  await claimCluster(found.cluster, "deleting");
  await runOperation({ userId: actor.id, action: "galera.delete", target: name }, (step) =>
    withMemberLocks(
      found.members.map((m) => m.id),
      async () => {
        if (await galeraEndpointOf(actor, name)) await deleteGaleraEndpoints(actor, name);
        // Read again under the locks: the members as they are now.
        for (const m of await membersOf(found.cluster)) {
          await step(`deleting ${m.name}`);
          await deleteEnvironment(actor, m.name, { memberOf: found.cluster.id });
        }
        await db().galeraCluster.delete({ where: { id: found.cluster.id } });
      },
    ),
  ).catch(async (e) => {
    // What is left can be deleted again: the cluster is not stuck "deleting".
    await db()
      .galeraCluster.update({ where: { id: found.cluster.id }, data: { status: "failed", statusDetail: String(e) } })
      .catch(() => undefined);
    throw e;
  });
}
