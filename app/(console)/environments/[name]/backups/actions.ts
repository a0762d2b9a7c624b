"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import {
  beginBackup,
  beginPointInTimeRestore,
  beginRestore,
  setBackupPolicy,
  setBinlogArchive,
  verifyBackup,
} from "@/lib/backups/service";

export async function takeBackupAction(name: string, method?: string) {
  const actor = await requireActor();
  return actionResult(async () => ({
    operationId: (await beginBackup(actor, name, { input: { method } })).operationId,
  }));
}

export async function restoreAction(
  backupId: string,
  input: { name: string; asSlave: boolean; overwrite: boolean; confirm?: string },
) {
  const actor = await requireActor();
  return actionResult(async () => ({ operationId: (await beginRestore(actor, backupId, input)).operationId }));
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
  const res = await actionResult(() => setBackupPolicy(actor, name, input));
  revalidatePath(`/environments/${name}/backups`);
  return res;
}

export async function verifyAction(name: string, backupId: string) {
  const actor = await requireActor();
  const res = await actionResult(() => verifyBackup(actor, backupId));
  revalidatePath(`/environments/${name}/backups`);
  return res;
}

export async function archiveAction(name: string, enabled: boolean) {
  const actor = await requireActor();
  const res = await actionResult(async () => {
    await setBinlogArchive(actor, name, { enabled });
    return {};
  });
  revalidatePath(`/environments/${name}/backups`);
  return res;
}

export async function pointInTimeAction(name: string, input: { name: string; time?: string; gtid?: string }) {
  const actor = await requireActor();
  return actionResult(async () => ({
    operationId: (await beginPointInTimeRestore(actor, name, input)).operationId,
  }));
}
