// Adding a member to a running cluster: reserved like a create (name, address, server id, under the placement
// lock), its server made, every member's my.cnf told the new address list, then it joins by a full state
// transfer and is waited for until Synced. A failure removes the new member and puts the address list back.
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { continueOperation, finishOperation, recordStep, startOperation } from "@/lib/operations";
import { takenAddresses } from "@/lib/environments/create";
import { nodeRefOf, nodeSpecOf } from "@/lib/environments/spec";
import { assertQuotaAllows } from "@/lib/quotas";
import { driverFor } from "@/lib/runtime";
import { retireNodes } from "@/lib/runtime/retired";
import { LOCAL } from "@/lib/runtime/runtime";
import { RuntimeError } from "@/lib/runtime/driver";
import { encryptSecret } from "@/lib/secrets";
import { markStarted, placeMember } from "./create";
import { refreshGaleraEndpoints } from "./endpoints";
import {
  assertSettled,
  claimCluster,
  getCluster,
  memberName,
  membersOf,
  ownerOf,
  releaseCluster,
  waitSynced,
  withMemberLocks,
  writeMemberOptions,
} from "./members";
import { lookAtCluster } from "./status";

const MAX_MEMBERS = 9;

export async function beginAddMember(actor: Actor, name: string) {
  const found = await getCluster(actor, name);
  assertSettled(found.cluster);
  const owner = await ownerOf(found.cluster);
  if (found.members.length >= MAX_MEMBERS)
    throw new ServiceError(409, "too_many_members", `A cluster has at most ${MAX_MEMBERS} nodes`);
  const notSynced = (await lookAtCluster(found)).filter((l) => l.wsrep?.state !== "Synced");
  if (notSynced.length)
    throw new ServiceError(
      409,
      "not_synced",
      `${notSynced.map((l) => l.name).join(", ")} ${notSynced.length > 1 ? "are" : "is"} not Synced: Recover the cluster before adding a node`,
    );
  const driver = driverFor(LOCAL);
  const template = found.members[0];
  const rootPassword = nodeRefOf(template.nodes[0]).rootPassword;
  // The lowest free place (a removed node's comes back): names stay within 40 characters.
  const used = new Set(found.members.map((m) => m.galeraIndex));
  const index = Array.from({ length: MAX_MEMBERS }, (_, i) => i + 1).find((i) => !used.has(i))!;
  const newName = memberName(name, index);
  await claimCluster(found.cluster, "adding");

  const operationId = await startOperation({
    userId: actor.id,
    action: "galera.add-node",
    target: `${name}/${newName}`,
    params: { cluster: name, node: newName },
  });
  const member = await withLock("placement", async () => {
    if (await db().environment.findUnique({ where: { ownerId_name: { ownerId: owner.id, name: newName } } }))
      throw new ServiceError(409, "name_taken", `An environment named "${newName}" exists`);
    await assertQuotaAllows(owner, { environments: 1, memoryMb: template.memoryMb });
    await recordStep(operationId, "allocating");
    const placement = await placeMember(driver, await takenAddresses());
    const maxServerId = (await db().node.aggregate({ _max: { serverId: true } }))._max.serverId ?? 0;
    return db().environment.create({
      data: {
        name: newName,
        ownerId: owner.id,
        runtime: driver.kind,
        engineVersion: template.engineVersion,
        memoryMb: template.memoryMb,
        status: "creating",
        galeraClusterId: found.cluster.id,
        galeraIndex: index,
        nodes: {
          create: {
            host: placement.host,
            port: placement.port,
            serverId: maxServerId + 1,
            rootPasswordEnc: encryptSecret(rootPassword),
          },
        },
      },
      include: { nodes: true },
    });
  }).catch(async (e) => {
    await finishOperation(operationId, e);
    await releaseCluster(found.cluster);
    throw e;
  });
  await db().operation.update({ where: { id: operationId }, data: { environmentId: member.id } });

  const done = withMemberLocks([...found.members.map((m) => m.id), member.id], () =>
    continueOperation(operationId, async (step) => {
      try {
        await step(`creating ${newName} (${member.nodes[0].host})`);
        let ref = await driver.create(nodeSpecOf(member, member.nodes[0]), rootPassword, () => undefined);
        await db().node.update({ where: { id: member.nodes[0].id }, data: { baseDir: ref.baseDir, pid: ref.pid } });
        ref = await driver.stop(ref);
        await step("writing every member's wsrep settings (the new address list)");
        const all = await membersOf(found.cluster);
        for (const m of all) {
          const content = await writeMemberOptions(found.cluster, m, all);
          if (m.id === member.id)
            await db().configRevision.create({
              data: {
                environmentId: m.id,
                content,
                author: "mariner",
                result: "applied",
                message: "Generated at creation",
              },
            });
        }
        await step(`joining ${newName}: state transfer (mariabackup) from the cluster`);
        ref = await driver.galera!.rejoin(ref);
        await markStarted(member, ref);
        await db().environment.update({ where: { id: member.id }, data: { status: "running" } });
        await waitSynced(member, ref);
        await step(`${newName} is Synced`);
        await refreshGaleraEndpoints(found.cluster.id);
        return { node: newName };
      } catch (e) {
        await driver.destroy(nodeRefOf(member.nodes[0])).catch(() => retireNodes(driver.kind, [member.nodes[0].id]));
        await db()
          .environment.delete({ where: { id: member.id } })
          .catch(() => undefined);
        const rest = await membersOf(found.cluster);
        for (const m of rest) await writeMemberOptions(found.cluster, m, rest).catch(() => undefined);
        throw e instanceof RuntimeError ? new ServiceError(500, "add_failed", e.message, e.serverLines) : e;
      } finally {
        await releaseCluster(found.cluster);
      }
    }),
  );
  done.catch(() => undefined);
  return { operationId, done };
}
