"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { issueToken, revokeToken } from "@/lib/auth/users";
import { ServiceError } from "@/lib/errors";

export async function createTokenAction(name: string) {
  const actor = await requireActor();
  const token = await issueToken(actor, name.trim() || "api");
  revalidatePath("/tokens");
  return token;
}

/** A token that is not the caller's (or is already revoked) is an answer, not a 500 with a digest. */
export async function revokeTokenAction(id: string) {
  const actor = await requireActor();
  try {
    await revokeToken(actor, id);
    revalidatePath("/tokens");
    return { ok: true as const };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}
