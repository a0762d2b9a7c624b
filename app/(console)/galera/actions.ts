"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import {
  beginAddMember,
  beginCreateCluster,
  beginRecoverCluster,
  beginRollingConfig,
  createGaleraEndpoints,
  deleteCluster,
  parseSettingsText,
  removeMember,
} from "@/lib/galera";

export async function createClusterAction(input: {
  name: string;
  nodes: number;
  memoryMb: number;
}): Promise<ActionResult<{ operationId: string }>> {
  const actor = await requireActor();
  return actionResult(async () => ({ operationId: (await beginCreateCluster(actor, input)).operationId }));
}

export async function recoverClusterAction(name: string): Promise<ActionResult<{ operationId: string }>> {
  const actor = await requireActor();
  return actionResult(async () => ({ operationId: (await beginRecoverCluster(actor, name)).operationId }));
}

/** The cluster page's "key = value" lines, applied one member at a time. */
export async function rollingConfigAction(name: string, text: string): Promise<ActionResult<{ operationId: string }>> {
  const actor = await requireActor();
  return actionResult(async () => ({
    operationId: (await beginRollingConfig(actor, name, { set: parseSettingsText(text) })).operationId,
  }));
}

export async function createClusterEndpointsAction(name: string): Promise<ActionResult> {
  const actor = await requireActor();
  return actionResult(async () => {
    await createGaleraEndpoints(actor, name);
    revalidatePath(`/galera/${name}`);
    return {};
  });
}

export async function addNodeAction(name: string): Promise<ActionResult<{ operationId: string }>> {
  const actor = await requireActor();
  return actionResult(async () => ({ operationId: (await beginAddMember(actor, name)).operationId }));
}

export async function removeNodeAction(name: string, member: string): Promise<ActionResult> {
  const actor = await requireActor();
  return actionResult(async () => {
    await removeMember(actor, name, member);
    revalidatePath(`/galera/${name}`);
    return {};
  });
}

export async function deleteClusterAction(name: string): Promise<ActionResult> {
  const actor = await requireActor();
  return actionResult(async () => {
    await deleteCluster(actor, name);
    revalidatePath("/environments");
    return {};
  });
}
