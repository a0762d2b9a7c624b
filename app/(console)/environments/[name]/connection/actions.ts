"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { createEndpoints } from "@/lib/topology/endpoints";

export async function createEndpointsAction(name: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    await createEndpoints(actor, name, {});
    revalidatePath(`/environments/${name}/connection`);
    return {};
  });
}
