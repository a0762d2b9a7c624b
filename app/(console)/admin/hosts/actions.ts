"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { registerHost, removeHost } from "@/lib/runtime/hosts";

export async function registerHostAction(input: { name: string; endpoint: string; image?: string }) {
  const actor = await requireActor();
  try {
    await registerHost(actor, input);
    revalidatePath("/admin/hosts");
    return { ok: true as const };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}

export async function removeHostAction(name: string) {
  const actor = await requireActor();
  try {
    await removeHost(actor, name);
    revalidatePath("/admin/hosts");
    return { ok: true as const };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}
