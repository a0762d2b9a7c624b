"use server";
import { revalidatePath } from "next/cache";
import { actionFailure, type ActionFailure } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { restoreRevision, saveConfig, type SaveResult } from "@/lib/environments/config";
import type { StaleDetails } from "@/lib/environments/config-revisions";
import { ServiceError } from "@/lib/errors";
import type { ConfigProblem } from "@/lib/mycnf/validate";

export type SaveOutcome =
  ({ ok: true } & SaveResult) | (ActionFailure & { problems: ConfigProblem[]; conflict?: StaleDetails });

async function outcome(name: string, work: () => Promise<SaveResult>): Promise<SaveOutcome> {
  try {
    const result = await work();
    revalidatePath(`/environments/${name}/config`);
    return { ok: true, ...result };
  } catch (e) {
    revalidatePath(`/environments/${name}/config`);
    if (e instanceof ServiceError) {
      const problems = (e.details?.problems as ConfigProblem[] | undefined) ?? [];
      const conflict = e.code === "stale_revision" ? (e.details as unknown as StaleDetails) : undefined;
      return { ...actionFailure(e), problems, conflict };
    }
    throw e;
  }
}

/** `baseRevision`: the revision the editor was opened with; a save on top of a newer my.cnf comes back as a conflict. */
export async function saveConfigAction(
  name: string,
  content: string,
  baseRevision: string | null,
): Promise<SaveOutcome> {
  const actor = await requireActor();
  return outcome(name, () => saveConfig(actor, name, { content, baseRevision: baseRevision ?? undefined }));
}

export async function restoreRevisionAction(
  name: string,
  revisionId: string,
  baseRevision: string | null,
): Promise<SaveOutcome> {
  const actor = await requireActor();
  return outcome(name, () => restoreRevision(actor, name, revisionId, baseRevision ?? undefined));
}
