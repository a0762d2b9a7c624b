"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { actionFailure, type ActionResult } from "@/lib/api/action-result";
import { ServiceError } from "@/lib/errors";
import {
  beginCreateEnvironment,
  connectionDetails,
  deleteEnvironment,
  environmentAction,
} from "@/lib/environments/service";

export type { ActionResult };

/** Refusals are answers; anything else is a bug, rethrown for Next to log and show (never a vague message). */
function failure(e: unknown) {
  if (e instanceof ServiceError) return actionFailure(e);
  throw e;
}

export async function createEnvironmentAction(input: {
  name: string;
  memoryMb: number;
  runtime?: "local" | "docker";
  host?: string;
}): Promise<ActionResult<{ operationId: string }>> {
  const actor = await requireActor();
  try {
    const { operationId } = await beginCreateEnvironment(actor, input);
    return { ok: true, operationId };
  } catch (e) {
    return failure(e);
  }
}

export async function environmentActionAction(
  name: string,
  action: "start" | "stop" | "restart",
): Promise<ActionResult> {
  const actor = await requireActor();
  try {
    await environmentAction(actor, name, { action });
    revalidatePath(`/environments/${name}`);
    return { ok: true };
  } catch (e) {
    return failure(e);
  }
}

export async function deleteEnvironmentAction(name: string): Promise<ActionResult> {
  const actor = await requireActor();
  try {
    await deleteEnvironment(actor, name);
    revalidatePath("/environments");
    return { ok: true };
  } catch (e) {
    return failure(e);
  }
}

export async function revealPasswordAction(name: string): Promise<ActionResult<{ password: string }>> {
  const actor = await requireActor();
  try {
    const { password } = await connectionDetails(actor, name);
    return { ok: true, password };
  } catch (e) {
    return failure(e);
  }
}
