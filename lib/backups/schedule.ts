import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { beginBackup } from "./take";
import { verifyBackup } from "./verify";
// The scheduler's side: backups and test restores that are due this minute.

/** Scheduled backups: called every minute by the monitor; at most one run per policy per minute. */
export async function runDueBackups(now = new Date(), actorFor: (ownerId: string) => Promise<Actor | null>) {
  const { cronMatches } = await import("./cron");
  const policies = await db().backupPolicy.findMany({ where: { schedule: { not: null } } });
  const started: string[] = [];
  for (const p of policies) {
    const minute = new Date(now);
    minute.setSeconds(0, 0);
    if (!cronMatches(p.schedule!, now) || (p.lastRunAt && p.lastRunAt >= minute)) continue;
    const env = await db().environment.findUnique({ where: { id: p.environmentId } });
    const actor = env && (await actorFor(env.ownerId));
    if (!env || !actor || env.status !== "running") continue;
    await db().backupPolicy.update({ where: { environmentId: p.environmentId }, data: { lastRunAt: now } });
    const began = await beginBackup(actor, env.name, { scheduled: true }).catch(
      (e: Error) => (console.error(`Mariner: scheduled backup of ${env.name}: ${e.message}`), null),
    );
    if (!began) continue;
    started.push(env.name);
    began.done.catch(() => undefined); // recorded as a failed backup and operation
  }
  return started;
}

/** Scheduled test restores: the latest successful backup of each due policy is verified (one at a time). */
export async function runDueVerifications(now = new Date(), actorFor: (ownerId: string) => Promise<Actor | null>) {
  const g = globalThis as unknown as { marinerVerifying?: boolean };
  if (g.marinerVerifying) return []; // the previous round is still restoring
  g.marinerVerifying = true;
  try {
    return await verifyDue(now, actorFor);
  } finally {
    g.marinerVerifying = false;
  }
}

async function verifyDue(now: Date, actorFor: (ownerId: string) => Promise<Actor | null>) {
  const { cronMatches } = await import("./cron");
  const minute = new Date(now);
  minute.setSeconds(0, 0);
  const verified: { environment: string; backup: string; ok: boolean; text: string }[] = [];
  for (const p of await db().backupPolicy.findMany({ where: { verifySchedule: { not: null } } })) {
    if (!cronMatches(p.verifySchedule!, now) || (p.verifyLastRunAt && p.verifyLastRunAt >= minute)) continue;
    await db().backupPolicy.update({ where: { environmentId: p.environmentId }, data: { verifyLastRunAt: now } });
    const latest = await db().backup.findFirst({
      where: { environmentId: p.environmentId, status: "succeeded" },
      orderBy: { startedAt: "desc" },
    });
    const actor = latest && (await actorFor(latest.ownerId));
    if (!latest || !actor) continue;
    const verdict = await verifyBackup(actor, latest.id).then(
      (v) => v,
      (e: Error) => ({ ok: false, text: e.message }),
    );
    verified.push({ environment: latest.environmentName, backup: latest.id, ...verdict });
  }
  return verified;
}
