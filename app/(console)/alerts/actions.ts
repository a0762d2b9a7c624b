"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { addRule, deleteRule } from "@/lib/monitoring/alerts";

export async function addRuleAction(
  environment: string,
  input: { kind: string; thresholdSec?: number; forSec: number; webhookUrl?: string },
) {
  const actor = await requireActor();
  try {
    await addRule(actor, environment, input);
    revalidatePath("/alerts");
    return { ok: true as const };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}

/** A rule that is not the caller's (or is gone) is an answer, not a 500 with a digest. */
export async function deleteRuleAction(id: string) {
  const actor = await requireActor();
  try {
    await deleteRule(actor, id);
    revalidatePath("/alerts");
    return { ok: true as const };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}
