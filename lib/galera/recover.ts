// Bringing a cluster back, as named phases over a context resolved once. With a primary component still up,
// the members that are down are started and rejoin it (IST when the donor still has what they missed). After a
// full crash, each member's position is read (grastate.dat, else `--wsrep-recover`), the most advanced one alone
// is marked safe to bootstrap and bootstrapped, then the others join it: no acknowledged commit is left behind.
// Members running without a primary component (a split) are shown, never forced.
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { beginOperation } from "@/lib/operations";
import { setStatus, type EnvironmentWithNodes } from "@/lib/environments/lookup";
import { nodeRefOf } from "@/lib/environments/spec";
import { driverFor } from "@/lib/runtime";
import type { GaleraPosition, NodeRef } from "@/lib/runtime/driver";
import type { MemberLook } from "./health";
import { assertSettled, getCluster, waitSynced, withMemberLocks, type ClusterWithMembers } from "./members";
import { lookAtCluster } from "./status";

type Step = (name: string) => Promise<void>;

interface RecoveryContext {
  found: ClusterWithMembers;
  looks: MemberLook[];
  step: Step;
}

/** The member a full-crash recovery bootstraps: the highest seqno (ties: the one already safe, then the first). */
export function mostAdvanced(positions: { name: string; position: GaleraPosition | null }[]): {
  name: string;
  position: GaleraPosition;
} {
  const unknown = positions.filter((p) => !p.position);
  if (unknown.length)
    throw new ServiceError(
      409,
      "position_unknown",
      `The position of ${unknown.map((p) => p.name).join(", ")} cannot be read: bootstrapping another member could lose its commits. Look at its error log.`,
    );
  const known = positions as { name: string; position: GaleraPosition }[];
  const uuids = new Set(known.map((p) => p.position.uuid));
  if (uuids.size > 1)
    throw new ServiceError(
      409,
      "different_histories",
      `The members hold different cluster histories (${known.map((p) => `${p.name}: ${p.position.uuid}`).join(", ")}): the console will not pick one`,
    );
  return [...known].sort(
    (a, b) =>
      b.position.seqno - a.position.seqno || Number(b.position.safeToBootstrap) - Number(a.position.safeToBootstrap),
  )[0];
}

async function started(member: EnvironmentWithNodes, ref: NodeRef) {
  await db().node.update({ where: { id: member.nodes[0].id }, data: { pid: ref.pid, startedAt: new Date() } });
  await db().environment.update({ where: { id: member.id }, data: { desiredState: "running" } });
  await setStatus(member.id, "running");
}

/** Starts each member that is down, one at a time, and waits until it is Synced. */
async function rejoinDown({ found, looks, step }: RecoveryContext, known = new Map<string, GaleraPosition | null>()) {
  for (const [i, m] of found.members.entries()) {
    if (looks[i].running) continue;
    await step(`starting ${m.name}: it rejoins the primary component`);
    const ref = await driverFor(m.runtime).galera!.rejoin(nodeRefOf(m.nodes[0]), known.get(m.name));
    await started(m, ref);
    await waitSynced(m, ref);
    await step(`${m.name} is Synced`);
  }
}

async function recoverFullCrash({ found, step }: RecoveryContext) {
  await step("reading every member's last committed position");
  const positions = [];
  for (const m of found.members) {
    const position = await driverFor(m.runtime).galera!.position(nodeRefOf(m.nodes[0]));
    positions.push({ name: m.name, position });
    await step(
      position
        ? `${m.name}: seqno ${position.seqno} (${position.source === "grastate" ? "grastate.dat" : "--wsrep-recover"})`
        : `${m.name}: no position`,
    );
  }
  const best = mostAdvanced(positions);
  const first = found.members.find((m) => m.name === best.name)!;
  const driver = driverFor(first.runtime);
  if (!best.position.safeToBootstrap) {
    await step(`marking ${first.name} safe to bootstrap (the most advanced, seqno ${best.position.seqno})`);
    await driver.galera!.allowBootstrap(nodeRefOf(first.nodes[0]));
  }
  await step(`bootstrapping ${first.name}`);
  const ref = await driver.galera!.bootstrap(nodeRefOf(first.nodes[0]), best.position);
  await started(first, ref);
  await waitSynced(first, ref);
  const looks = await lookAtCluster(found);
  await rejoinDown({ found, looks, step }, new Map(positions.map((p) => [p.name, p.position])));
}

/** Refused with the reason when a recovery would have to force anything. */
export function judgeRecovery(looks: MemberLook[]): "nothing" | "rejoin" | "full-crash" {
  const primary = looks.filter((l) => l.wsrep?.clusterStatus === "Primary");
  const runningElsewhere = looks.filter((l) => l.running && l.wsrep?.clusterStatus !== "Primary");
  if (runningElsewhere.length)
    throw new ServiceError(
      409,
      "no_primary",
      `${runningElsewhere.map((l) => l.name).join(", ")} ${runningElsewhere.length > 1 ? "run" : "runs"} outside a primary component (a network split, or still starting): the console does not force a side. Stop ${runningElsewhere.length > 1 ? "them" : "it"} or restore the network, then recover.`,
    );
  if (!primary.length) return "full-crash";
  return looks.some((l) => !l.running) ? "rejoin" : "nothing";
}

export async function beginRecoverCluster(actor: Actor, name: string) {
  const found = await getCluster(actor, name);
  assertSettled(found.cluster);
  judgeRecovery(await lookAtCluster(found)); // a refusal is a 409 now, not a failed operation later
  const ids = found.members.map((m) => m.id);
  return beginOperation(
    { userId: actor.id, action: "galera.recover", target: name, environmentId: found.members[0]?.id },
    (step) =>
      withMemberLocks(ids, async () => {
        const fresh = await getCluster(actor, name);
        const looks = await lookAtCluster(fresh);
        const kind = judgeRecovery(looks);
        const ctx = { found: fresh, looks, step };
        if (kind === "nothing") await step("every member runs in the primary component: nothing to do");
        else if (kind === "rejoin") await rejoinDown(ctx);
        else await recoverFullCrash(ctx);
        await db().galeraCluster.update({
          where: { id: fresh.cluster.id },
          data: { status: "running", statusDetail: null },
        });
        return kind;
      }),
  );
}
