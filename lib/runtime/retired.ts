import { db } from "@/lib/db/client";

/**
 * Nodes whose rows go while their container or Swarm service may stay behind (the host did not answer the
 * removal, or a create failed half-way). The orphan sweep removes only what carries one of these ids: a container
 * this store never knew (another console's on a shared engine, or one made after the backup this store was
 * restored from) is never touched.
 */
export async function retireNodes(runtime: string, nodeIds: string[]) {
  if (runtime === "local") return; // local servers are processes under the data dir, reaped by pid
  for (const id of nodeIds) await db().retiredNode.upsert({ where: { id }, create: { id, runtime }, update: {} });
}

export async function retiredOn(runtime: string): Promise<Set<string>> {
  return new Set((await db().retiredNode.findMany({ where: { runtime } })).map((r) => r.id));
}

/** After a sweep of `runtime` went through: what it removed, or found gone already, needs no more looking for. */
export async function forgetRetired(runtime: string, nodeIds: Set<string>) {
  await db().retiredNode.deleteMany({ where: { runtime, id: { in: [...nodeIds] } } });
}
