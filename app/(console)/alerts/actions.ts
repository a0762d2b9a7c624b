"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { addRule, deleteRule } from "@/lib/monitoring/alerts";

export async function addRuleAction(
  environment: string,
  input: { kind: string; thresholdSec?: number; forSec: number; webhookUrl?: string },
) {
  const actor = await requireActor();
  return actionResult(async () => {
    await addRule(actor, environment, input);
    revalidatePath("/alerts");
    return {};
  });
}

/** A rule that is not the caller's (or is gone) is an answer, not a 500 with a digest. */
export async function deleteRuleAction(id: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    await deleteRule(actor, id);
    revalidatePath("/alerts");
    return {};
  });
}
