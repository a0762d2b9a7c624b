import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { notFound, staleEdit } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { driverFor } from "@/lib/runtime";
import { RuntimeError } from "@/lib/runtime/driver";
import { getEnvironment } from "./service";
import { nodeRefOf } from "./spec";

export async function listRevisions(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return db().configRevision.findMany({
    where: { environmentId: env.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 100,
  });
}

export async function getRevision(actor: Actor, name: string, id: string) {
  const env = await getEnvironment(actor, name);
  const rev = await db().configRevision.findFirst({ where: { id, environmentId: env.id } });
  if (!rev) throw notFound("Revision");
  return rev;
}

/** The revision the file on disk holds: the last one applied (every write of my.cnf goes through a revision). */
export function currentRevision(environmentId: string) {
  return db().configRevision.findFirst({
    where: { environmentId, result: "applied" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** What a stale save is told, and what a client needs to replay its edit on top: both texts and who changed it. */
export interface StaleDetails {
  baseRevision: string;
  baseContent: string | null;
  currentRevision: string;
  currentContent: string;
  changedBy: string;
  changedAt: string;
}

/**
 * Optimistic concurrency: a save built from revision `base` is refused once another revision was applied since,
 * with who/when and both texts, instead of silently overwriting the newer my.cnf. Runs under the environment lock.
 */
export async function refuseIfStale(environmentId: string, base: string): Promise<void> {
  const current = await currentRevision(environmentId);
  if (!current || current.id === base) return;
  const baseRev = await db().configRevision.findFirst({ where: { id: base, environmentId } });
  const details: StaleDetails = {
    baseRevision: base,
    baseContent: baseRev?.content ?? null,
    currentRevision: current.id,
    currentContent: current.content,
    changedBy: current.author,
    changedAt: current.createdAt.toISOString(),
  };
  const stale = staleEdit("my.cnf", current.author, current.createdAt, details as unknown as Record<string, unknown>);
  if (!baseRev)
    stale.message = `The revision this edit started from is not one of this environment's: reload my.cnf (${stale.message})`;
  throw stale;
}

/**
 * After a console crash in the middle of an apply: a "pending" revision's file is on disk but its fate unknown.
 * Start the server with it; if that fails, put the last applied my.cnf back. Either applied or rolled back.
 */
export async function resolvePendingRevisions(): Promise<void> {
  const pending = await db().configRevision.findMany({
    where: { result: "pending" },
    include: { environment: { include: { nodes: true } } },
  });
  for (const rev of pending) {
    const env = rev.environment;
    const node = env.nodes[0];
    if (!node) continue;
    await withLock(env.id, async () => {
      const driver = driverFor(env.runtime);
      const ref = nodeRefOf(node);
      const onDisk = await driver.readConfig(ref).catch(() => null);
      if (onDisk !== rev.content || env.desiredState !== "running") {
        await db().configRevision.update({
          where: { id: rev.id },
          data: {
            result: onDisk === rev.content ? "applied" : "rolled-back",
            message: "Resolved after a console restart",
          },
        });
        return;
      }
      try {
        const after = await driver.restart(ref);
        await db().node.update({ where: { id: node.id }, data: { pid: after.pid, startedAt: new Date() } });
        await db().configRevision.update({
          where: { id: rev.id },
          data: { result: "applied", message: "Applied after a console restart" },
        });
      } catch (e) {
        const lastGood = await currentRevision(env.id);
        if (lastGood) {
          await driver.writeConfig(ref, lastGood.content);
          const back = await driver.start(ref).catch(() => null);
          if (back) await db().node.update({ where: { id: node.id }, data: { pid: back.pid, startedAt: new Date() } });
        }
        const lines = e instanceof RuntimeError ? e.serverLines : [(e as Error).message];
        await db().configRevision.update({
          where: { id: rev.id },
          data: { result: "rolled-back", message: `Rolled back after a console restart:\n${lines.join("\n")}` },
        });
      }
    });
  }
}
