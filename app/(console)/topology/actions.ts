"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { applyFix } from "@/lib/topology/doctor";

export async function applyFixAction(id: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    await applyFix(actor, id);
    revalidatePath("/topology");
    return {};
  });
}
