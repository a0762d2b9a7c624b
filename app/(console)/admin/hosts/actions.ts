"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { registerHost, removeHost } from "@/lib/runtime/hosts";

export async function registerHostAction(input: { name: string; endpoint: string; image?: string }) {
  const actor = await requireActor();
  return actionResult(async () => {
    await registerHost(actor, input);
    revalidatePath("/admin/hosts");
    return {};
  });
}

export async function removeHostAction(name: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    await removeHost(actor, name);
    revalidatePath("/admin/hosts");
    return {};
  });
}
