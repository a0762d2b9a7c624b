"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { createEndpoints } from "@/lib/proxy/endpoints";

export async function createEndpointsAction(name: string) {
  const actor = await requireActor();
  try {
    await createEndpoints(actor, name, {});
    revalidatePath(`/environments/${name}/connection`);
    return { ok: true as const };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false as const, error: e.message };
    throw e;
  }
}
