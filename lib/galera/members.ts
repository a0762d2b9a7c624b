// A Galera cluster as the console holds it: its row, its members (environments, in their order), the wsrep
// settings each member's my.cnf carries, and the waits every operation on it shares.
import type { GaleraCluster } from "@/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { isAdmin } from "@/lib/auth/actor";
import { actorById } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { notFound, ServiceError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { withConnection } from "@/lib/mariadb/connect";
import { wsrepStatus, type WsrepStatus } from "@/lib/mariadb/galera";
import { setServerOptions } from "@/lib/mycnf/parse";
import { environmentName } from "@/lib/names";
import { driverFor } from "@/lib/runtime";
import { RuntimeError, type NodeRef } from "@/lib/runtime/driver";
import { decryptSecret } from "@/lib/secrets";
import type { EnvironmentWithNodes } from "@/lib/environments/lookup";
import { nodeRefOf } from "@/lib/environments/spec";
import { galeraOptions, withManagedSst } from "./settings";

export interface ClusterWithMembers {
  cluster: GaleraCluster;
  /** In their order (galeraIndex): the first is the one a new cluster is bootstrapped on. */
  members: EnvironmentWithNodes[];
}

export const memberName = (cluster: string, index: number) => `${cluster}-${index}`;

export async function membersOf(cluster: GaleraCluster): Promise<EnvironmentWithNodes[]> {
  return db().environment.findMany({
    where: { galeraClusterId: cluster.id },
    include: { nodes: true },
    orderBy: { galeraIndex: "asc" },
  });
}

/** The actor's cluster by name (admins fall back to anyone's), with its members. */
export async function getCluster(actor: Actor, name: string): Promise<ClusterWithMembers> {
  if (!environmentName.safeParse(name).success) throw notFound(`Galera cluster "${name}"`);
  const cluster =
    (await db().galeraCluster.findUnique({ where: { ownerId_name: { ownerId: actor.id, name } } })) ??
    (isAdmin(actor) ? await db().galeraCluster.findFirst({ where: { name }, orderBy: { createdAt: "asc" } }) : null);
  if (!cluster) throw notFound(`Galera cluster "${name}"`);
  return { cluster, members: await membersOf(cluster) };
}

export async function listClusters(actor: Actor) {
  const clusters = await db().galeraCluster.findMany({
    where: isAdmin(actor) ? {} : { ownerId: actor.id },
    orderBy: { createdAt: "asc" },
  });
  return Promise.all(clusters.map(async (cluster) => ({ cluster, members: await membersOf(cluster) })));
}

/** Every member's lock, always in the same order (ids sorted): an operation on the cluster holds them all. */
export function withMemberLocks<T>(ids: string[], work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...ids].sort();
  return first ? withLock(first, () => withMemberLocks(rest, work)) : work();
}

/** The wsrep settings of `member` in a cluster of `members` (the console re-asserts them on every my.cnf save). */
export function memberOptions(cluster: GaleraCluster, member: EnvironmentWithNodes, members: EnvironmentWithNodes[]) {
  const address = (m: EnvironmentWithNodes) => ({ name: m.name, host: m.nodes[0].host });
  return galeraOptions(
    { clusterName: cluster.clusterName, sstUser: cluster.sstUser, sstPassword: decryptSecret(cluster.sstPasswordEnc) },
    address(member),
    members.map(address),
  );
}

/** The options a member's my.cnf must carry, or {} for a server that is not a Galera member. */
export async function galeraManagedOptions(env: { galeraClusterId: string | null; id: string }) {
  if (!env.galeraClusterId) return {};
  const cluster = await db().galeraCluster.findUnique({ where: { id: env.galeraClusterId } });
  if (!cluster) return {};
  const members = await membersOf(cluster);
  const self = members.find((m) => m.id === env.id);
  return self ? memberOptions(cluster, self, members) : {};
}

/** Writes the member's wsrep settings into its my.cnf (the file only: the server reads it at its next start). */
export async function writeMemberOptions(
  cluster: GaleraCluster,
  member: EnvironmentWithNodes,
  members: EnvironmentWithNodes[],
) {
  const driver = driverFor(member.runtime);
  const ref = nodeRefOf(member.nodes[0]);
  const content = withManagedSst(
    setServerOptions(await driver.readConfig(ref), memberOptions(cluster, member, members)),
    member.nodes[0].host,
  );
  await driver.writeConfig(ref, content);
  return content;
}

/** One member's wsrep status through a root login (null: it does not answer). */
export async function lookAtMember(ref: NodeRef, timeoutMs = 2000): Promise<WsrepStatus | null> {
  try {
    return await withConnection(
      { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword },
      wsrepStatus,
      timeoutMs,
    );
  } catch {
    return null;
  }
}

export const SYNC_TIMEOUT_MS = 180_000;

/** Until the member says Synced in a primary component; its last state and log lines when it does not. */
export async function waitSynced(member: EnvironmentWithNodes, ref: NodeRef, timeoutMs = SYNC_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last: WsrepStatus | null = null;
  while (Date.now() < deadline) {
    last = await lookAtMember(ref);
    if (last?.state === "Synced" && last.clusterStatus === "Primary") return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  const lines = await driverFor(member.runtime)
    .tailErrorLog(ref, 15)
    .catch(() => []);
  throw new RuntimeError(
    `${member.name} did not reach Synced within ${timeoutMs / 1000} s (last: ${last ? `${last.state}, ${last.clusterStatus}` : "no answer"})`,
    lines,
  );
}

/** Statuses of a cluster whose membership is changing: nothing else may start meanwhile. */
const BUSY = ["creating", "adding", "deleting"];

/** A clear 409 when the cluster's membership is changing (being created, a node added, being deleted). */
export function assertSettled(cluster: GaleraCluster) {
  if (BUSY.includes(cluster.status))
    throw new ServiceError(409, "busy", `Galera cluster "${cluster.name}" is ${cluster.status}`);
}

/** Moves a settled cluster to a busy status, atomically: two membership changes never overlap. */
export async function claimCluster(cluster: GaleraCluster, status: "adding" | "deleting") {
  const { count } = await db().galeraCluster.updateMany({
    where: { id: cluster.id, status: { notIn: BUSY } },
    data: { status },
  });
  if (!count) throw new ServiceError(409, "busy", `Galera cluster "${cluster.name}" is busy with another change`);
}

/** Back to settled after a membership change. */
export const releaseCluster = (cluster: GaleraCluster) =>
  db().galeraCluster.update({ where: { id: cluster.id }, data: { status: "running" } });

/** The name of the cluster an environment belongs to (null: not a Galera member). */
export async function clusterNameOf(env: { galeraClusterId: string | null }): Promise<string | null> {
  if (!env.galeraClusterId) return null;
  return (
    (await db().galeraCluster.findUnique({ where: { id: env.galeraClusterId }, select: { name: true } }))?.name ?? null
  );
}

/** The cluster's owner: a node an admin adds belongs to, and counts against the quota of, the owner. */
export async function ownerOf(cluster: GaleraCluster): Promise<Actor> {
  const owner = await actorById(cluster.ownerId);
  if (!owner) throw notFound(`Galera cluster "${cluster.name}"`);
  return owner;
}
