"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { issueToken, revokeToken } from "@/lib/auth/users";

export async function createTokenAction(name: string) {
  const actor = await requireActor();
  const token = await issueToken(actor, name.trim() || "api");
  revalidatePath("/tokens");
  return token;
}

export async function revokeTokenAction(id: string) {
  const actor = await requireActor();
  await revokeToken(actor, id);
  revalidatePath("/tokens");
}
