"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import {
  beginCreateEnvironment,
  connectionDetails,
  deleteEnvironment,
  environmentAction,
} from "@/lib/environments/service";

export type { ActionResult };

export async function createEnvironmentAction(input: {
  name: string;
  memoryMb: number;
  runtime?: "local" | "docker" | "swarm";
  host?: string;
}): Promise<ActionResult<{ operationId: string }>> {
  const actor = await requireActor();
  return actionResult(async () => ({ operationId: (await beginCreateEnvironment(actor, input)).operationId }));
}

export async function environmentActionAction(
  name: string,
  action: "start" | "stop" | "restart",
): Promise<ActionResult> {
  const actor = await requireActor();
  return actionResult(async () => {
    await environmentAction(actor, name, { action });
    revalidatePath(`/environments/${name}`);
    return {};
  });
}

export async function deleteEnvironmentAction(name: string): Promise<ActionResult> {
  const actor = await requireActor();
  return actionResult(async () => {
    await deleteEnvironment(actor, name);
    revalidatePath("/environments");
    return {};
  });
}

export async function revealPasswordAction(name: string): Promise<ActionResult<{ password: string }>> {
  const actor = await requireActor();
  return actionResult(async () => ({ password: (await connectionDetails(actor, name)).password }));
}
