"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { ServiceError } from "@/lib/errors";

export async function addUserAction(input: { email: string; password: string; role: string }) {
  const actor = await requireActor();
  try {
    const user = await createUser(actor, input);
    revalidatePath("/admin/users");
    return { ok: true as const, email: user.email };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}
