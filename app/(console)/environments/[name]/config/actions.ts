"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { restoreRevision, saveConfig, type SaveResult } from "@/lib/environments/config";
import { ServiceError } from "@/lib/errors";
import type { ConfigProblem } from "@/lib/mycnf/validate";

export type SaveOutcome = ({ ok: true } & SaveResult) | { ok: false; error: string; problems: ConfigProblem[]; lines: string[] };

async function outcome(name: string, work: () => Promise<SaveResult>): Promise<SaveOutcome> {
  try {
    const result = await work();
    revalidatePath(`/environments/${name}/config`);
    return { ok: true, ...result };
  } catch (e) {
    revalidatePath(`/environments/${name}/config`);
    if (e instanceof ServiceError) {
      return { ok: false, error: e.message, problems: (e.details?.problems as ConfigProblem[]) ?? [], lines: e.lines };
    }
    throw e;
  }
}

export async function saveConfigAction(name: string, content: string): Promise<SaveOutcome> {
  const actor = await requireActor();
  return outcome(name, () => saveConfig(actor, name, { content }));
}

export async function restoreRevisionAction(name: string, revisionId: string): Promise<SaveOutcome> {
  const actor = await requireActor();
  return outcome(name, () => restoreRevision(actor, name, revisionId));
}
