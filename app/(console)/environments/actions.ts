"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import {
  beginCreateEnvironment,
  connectionDetails,
  deleteEnvironment,
  environmentAction,
} from "@/lib/environments/service";

export type ActionResult<T = object> = ({ ok: true } & T) | { ok: false; error: string; lines?: string[] };

function failure(e: unknown): { ok: false; error: string; lines?: string[] } {
  if (e instanceof ServiceError) return { ok: false, error: e.message, lines: e.lines };
  console.error(e);
  return { ok: false, error: "Something went wrong on the console; see its log" };
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
