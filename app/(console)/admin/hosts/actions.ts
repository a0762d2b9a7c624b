"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { issueEngineCredentials } from "@/lib/runtime/engine-credentials";
import { copyImages } from "@/lib/runtime/images";
import { registerHost, removeHost, type HostInput } from "@/lib/runtime/hosts";
import { checkSwarmImages } from "@/lib/runtime/swarm-nodes";

export async function registerHostAction(input: HostInput) {
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

export async function issueEngineCredentialsAction(address: string) {
  const actor = await requireActor();
  return actionResult(() => issueEngineCredentials(actor, { address }));
}

export async function copyImagesAction(name: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    const result = await copyImages(actor, name);
    revalidatePath("/admin/hosts");
    return result;
  });
}

export async function checkSwarmImagesAction(name: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    const byNode = await checkSwarmImages(actor, name);
    revalidatePath("/admin/hosts");
    return { byNode };
  });
}
