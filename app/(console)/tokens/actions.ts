"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { issueToken, revokeToken } from "@/lib/auth/users";

/** The new token, shown once. A name that is not text falls back to "api" (the form always sends text). */
export async function createTokenAction(name: unknown) {
  const actor = await requireActor();
  const token = await issueToken(actor, typeof name === "string" && name.trim() ? name.trim() : "api");
  revalidatePath("/tokens");
  return token;
}

/** A token that is not the caller's (or is already revoked) is an answer, not a 500 with a digest. */
export async function revokeTokenAction(id: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    await revokeToken(actor, id);
    revalidatePath("/tokens");
    return {};
  });
}
