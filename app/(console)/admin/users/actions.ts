"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { describeQuota, setUserLimits } from "@/lib/quotas";

export async function addUserAction(input: { email: string; password: string; role: string }) {
  const actor = await requireActor();
  return actionResult(async () => {
    const user = await createUser(actor, input);
    revalidatePath("/admin/users");
    return { email: user.email };
  });
}

/** null = back to the site default. The admin check and validation live in lib/quotas. */
export async function setUserLimitsAction(
  userId: string,
  input: { maxEnvironments: number | null; maxMemoryMb: number | null },
) {
  const actor = await requireActor();
  return actionResult(async () => {
    const user = await setUserLimits(actor, userId, input);
    revalidatePath("/admin/users");
    return { text: `Saved limits for ${user.email}: ${describeQuota(user.quota)}` };
  });
}
