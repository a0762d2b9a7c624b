"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { ServiceError } from "@/lib/errors";
import { describeQuota, setUserLimits } from "@/lib/quotas";

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

/** null = back to the site default. The admin check and validation live in lib/quotas. */
export async function setUserLimitsAction(
  userId: string,
  input: { maxEnvironments: number | null; maxMemoryMb: number | null },
) {
  const actor = await requireActor();
  try {
    const user = await setUserLimits(actor, userId, input);
    revalidatePath("/admin/users");
    return { ok: true as const, text: `Saved limits for ${user.email}: ${describeQuota(user.quota)}` };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}
