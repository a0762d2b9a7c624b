"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { beginBackup, beginRestore, setBackupPolicy, verifyBackup } from "@/lib/backups/service";
import { ServiceError } from "@/lib/errors";

type Result<T = object> = ({ ok: true } & T) | { ok: false; error: string; stale?: boolean };

async function attempt<T extends object>(work: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false, error: e.message, stale: e.code === "stale_revision" };
    throw e;
  }
}

export async function takeBackupAction(name: string) {
  const actor = await requireActor();
  return attempt(async () => ({ operationId: (await beginBackup(actor, name)).operationId }));
}

export async function restoreAction(
  backupId: string,
  input: { name: string; asSlave: boolean; overwrite: boolean; confirm?: string },
) {
  const actor = await requireActor();
  return attempt(async () => ({ operationId: (await beginRestore(actor, backupId, input)).operationId }));
}

export async function policyAction(
  name: string,
  input: {
    schedule: string | null;
    keepLast: number | null;
    keepDays: number | null;
    verifySchedule: string | null;
    baseRevision: number;
  },
) {
  const actor = await requireActor();
  const res = await attempt(() => setBackupPolicy(actor, name, input));
  revalidatePath(`/environments/${name}/backups`);
  return res;
}

export async function verifyAction(name: string, backupId: string) {
  const actor = await requireActor();
  const res = await attempt(() => verifyBackup(actor, backupId));
  revalidatePath(`/environments/${name}/backups`);
  return res;
}
