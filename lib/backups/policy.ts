import fs from "node:fs";
import { pruneArchivedBefore } from "./binlog-files";
import { erasOf, usableBases } from "./recovery-window";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { getEnvironment } from "@/lib/environments/service";
import { staleEdit } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { parseCron } from "./cron";
import { inUse } from "./archive";
// Schedule and retention of an environment's backups (compare-and-set on the policy's revision).

const cronSchedule = (what: string) =>
  z
    .string()
    .max(100)
    .superRefine((s, ctx) => {
      try {
        parseCron(s);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `${what}: ${(e as Error).message}` });
      }
    })
    .nullable()
    .optional();

export const policyInput = z.strictObject({
  schedule: cronSchedule("Schedule"),
  keepLast: z.number().int().min(1).max(1000).nullable().optional(),
  keepDays: z.number().int().min(1).max(3650).nullable().optional(),
  /** When to test-restore the latest backup into a temporary environment (alerts when it does not match). */
  verifySchedule: cronSchedule("Test restore schedule"),
  /** The policy revision the form was filled from (GET → revision; 0 before the first save); a newer one refuses it. */
  baseRevision: z.number().int().min(0).optional(),
});

export async function setBackupPolicy(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const p = parseInput(policyInput, raw);
  const data = {
    schedule: p.schedule ?? null,
    keepLast: p.keepLast ?? null,
    keepDays: p.keepDays ?? null,
    verifySchedule: p.verifySchedule ?? null,
  };
  const revision = await savePolicy(env.id, data, actor.email, p.baseRevision);
  // A scheduled test restore nobody hears about is useless: it comes with its alert rule.
  if (
    data.verifySchedule &&
    !(await db().alertRule.findFirst({ where: { environmentId: env.id, kind: "backup-verification" } }))
  ) {
    await db().alertRule.create({ data: { environmentId: env.id, kind: "backup-verification" } });
  }
  await applyRetention(env.id);
  return { ...data, revision };
}

/** Compare-and-set on the revision (atomic in the store): two people saving the form never overwrite each other. */
async function savePolicy(
  environmentId: string,
  data: Record<string, unknown>,
  by: string,
  base: number | undefined,
): Promise<number> {
  const stamp = { updatedBy: by, updatedAt: new Date() };
  // Without a base revision the caller asked for last-writer-wins: it retries on whatever is current.
  for (let attempt = 0; attempt < (base === undefined ? 5 : 1); attempt++) {
    const current = await db().backupPolicy.findUnique({ where: { environmentId } });
    const expected = base ?? current?.revision ?? 0;
    const saved = current
      ? (
          await db().backupPolicy.updateMany({
            where: { environmentId, revision: expected },
            data: { ...data, ...stamp, revision: expected + 1 },
          })
        ).count === 1
      : expected === 0 &&
        (await db()
          .backupPolicy.create({ data: { environmentId, ...data, ...stamp, revision: 1 } })
          .then(
            () => true,
            () => false,
          ));
    if (saved) return expected + 1;
  }
  const now = await db().backupPolicy.findUnique({ where: { environmentId } });
  throw staleEdit("The backup policy", now?.updatedBy ?? null, now?.updatedAt ?? null, {
    baseRevision: base,
    currentRevision: now?.revision ?? 0,
  });
}

export async function getBackupPolicy(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return db().backupPolicy.findUnique({ where: { environmentId: env.id } });
}

/** Keep the last N and/or the last N days of successful backups; older files and rows go. */
export async function applyRetention(environmentId: string) {
  const policy = await db().backupPolicy.findUnique({ where: { environmentId } });
  if (!policy || (!policy.keepLast && !policy.keepDays)) return [];
  const backups = await db().backup.findMany({
    where: { environmentId, status: "succeeded" },
    orderBy: { startedAt: "desc" },
  });
  const cutoff = policy.keepDays ? Date.now() - policy.keepDays * 86_400_000 : -Infinity;
  const doomed = backups.filter(
    (b, i) =>
      !inUse.has(b.id) && ((policy.keepLast !== null && i >= policy.keepLast) || b.startedAt.getTime() < cutoff),
  );
  for (const b of doomed) {
    fs.rmSync(b.file, { force: true });
    await db().backup.delete({ where: { id: b.id } });
  }
  if (doomed.length) await pruneArchives(environmentId);
  return doomed.map((b) => b.id);
}

/** Archived binary logs older than every remaining backup of their lineage go with the backups they extended. */
async function pruneArchives(environmentId: string) {
  for (const archive of await db().binlogArchive.findMany()) {
    const lineage =
      archive.environmentId === environmentId || erasOf(archive).some((e) => e.masterId === environmentId);
    if (!lineage) continue;
    const bases = usableBases(archive, await db().backup.findMany({ where: { ownerId: archive.ownerId } }));
    if (bases.length) await pruneArchivedBefore(archive.id, bases[0].gtidPosition!);
  }
}
