// A Galera cluster's writer and reader endpoints: made once, then kept pointing at Synced members only, as the
// console sees them (the monitor looks every few seconds; operations refresh them when they end).
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { applyIfChanged, describe, placeEndpoint, renderGalera, stopEndpoint } from "@/lib/proxy/endpoints";
import type { ProxyEndpoint } from "@/generated/prisma/client";
import type { MemberLook } from "./health";
import { getCluster, membersOf, type ClusterWithMembers } from "./members";
import { lookAtCluster } from "./status";

/** What an endpoint row's `master` says for a Galera cluster: the cluster and the member now taking writes. */
const marker = (clusterId: string, writer = "") => `galera:${clusterId}:${writer}`;
const parseMarker = (master: string) => {
  const [kind, clusterId, writer] = master.split(":");
  return kind === "galera" ? { clusterId, writer: writer || null } : null;
};

const addressOf = (look: MemberLook) => {
  const [host, port] = look.address.split(":");
  return { host, port: Number(port) };
};

/** Synced members in a primary component; the current writer first while it stays Synced (no needless switch). */
export function chooseTargets(looks: MemberLook[], currentWriter: string | null) {
  const synced = looks.filter((l) => l.wsrep?.state === "Synced" && l.wsrep.clusterStatus === "Primary");
  const writers = [...synced].sort((a, b) => Number(b.name === currentWriter) - Number(a.name === currentWriter));
  return { writer: writers[0]?.name ?? null, writers: writers.map(addressOf), readers: synced.map(addressOf) };
}

async function point(row: ProxyEndpoint, found: Pick<ClusterWithMembers, "members">) {
  const current = parseMarker(row.master);
  const t = chooseTargets(await lookAtCluster(found), current?.writer ?? null);
  // A new writer: sessions on the old one end at once, so no client writes on two members.
  const changed = await applyIfChanged(row, renderGalera(row, t.writers, t.readers), t.writer !== current?.writer);
  if (changed && t.writer !== current?.writer)
    await db().proxyEndpoint.update({
      where: { id: row.id },
      data: { master: marker(current!.clusterId, t.writer ?? "") },
    });
  return t;
}

export async function createGaleraEndpoints(actor: Actor, name: string) {
  const found = await getCluster(actor, name);
  const row = await placeEndpoint(found.cluster.ownerId, name, marker(found.cluster.id), "local");
  try {
    await withLock(`proxy:${row.id}`, () => point(row, found));
  } catch (e) {
    await stopEndpoint(row).catch(() => undefined);
    await db().proxyEndpoint.delete({ where: { id: row.id } });
    throw e;
  }
  return galeraEndpointOf(actor, name);
}

export async function galeraEndpointOf(actor: Actor, name: string) {
  const { cluster } = await getCluster(actor, name);
  const row = await db().proxyEndpoint.findFirst({ where: { master: { startsWith: marker(cluster.id) } } });
  return row ? { ...describe(row), writerMember: parseMarker(row.master)?.writer ?? null } : null;
}

export async function deleteGaleraEndpoints(actor: Actor, name: string) {
  const { cluster } = await getCluster(actor, name);
  const row = await db().proxyEndpoint.findFirst({ where: { master: { startsWith: marker(cluster.id) } } });
  if (!row) throw notFound(`Endpoints of "${name}"`);
  // Under its lock: a refresh in flight must not start HAProxy again for a row that is going.
  await withLock(`proxy:${row.id}`, async () => {
    await stopEndpoint(row);
    await db().proxyEndpoint.delete({ where: { id: row.id } });
  });
}

/** Every Galera endpoint pointed at the members Synced now (the monitor's periodic pass; after operations). */
export async function refreshGaleraEndpoints(clusterId?: string) {
  const rows = await db().proxyEndpoint.findMany({
    where: { master: { startsWith: clusterId ? marker(clusterId) : "galera:" } },
  });
  for (const row of rows) {
    const m = parseMarker(row.master);
    const cluster = m && (await db().galeraCluster.findUnique({ where: { id: m.clusterId } }));
    if (!cluster || cluster.status === "creating" || cluster.status === "deleting") continue;
    await withLock(`proxy:${row.id}`, async () => {
      // Read again under the lock: the writer another refresh just chose (or nothing, if it was deleted).
      const now = await db().proxyEndpoint.findUnique({ where: { id: row.id } });
      if (now) await point(now, { members: await membersOf(cluster) });
    }).catch((e) => console.error(`Mariner: Galera endpoint ${row.name}: ${(e as Error).message}`));
  }
}
