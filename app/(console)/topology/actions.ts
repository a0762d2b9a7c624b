"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { applyFix } from "@/lib/topology/doctor";

export async function applyFixAction(id: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const actor = await requireActor();
  try {
    await applyFix(actor, id);
    revalidatePath("/topology");
    return { ok: true };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false, error: e.message };
    throw e;
  }
}
