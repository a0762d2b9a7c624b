"use server";
import { revalidatePath } from "next/cache";
import { requireActor } from "@/lib/auth/session";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import * as topo from "@/lib/topology";

export type Started = ActionResult<{ operationId: string }>;
export type Done = ActionResult;

const start = (work: () => Promise<{ operationId: string }>): Promise<Started> =>
  actionResult(async () => ({ operationId: (await work()).operationId }));

const finish = (name: string, work: () => Promise<unknown>): Promise<Done> =>
  actionResult(async () => {
    await work();
    revalidatePath(`/environments/${name}/topology`);
    return {};
  });

export async function addSlavesAction(name: string, count: number, method?: string) {
  const actor = await requireActor();
  return start(() => topo.beginAddSlaves(actor, name, { count, method }));
}

export async function cloneAction(name: string, cloneName: string, asSlave: boolean, method?: string) {
  const actor = await requireActor();
  return start(() => topo.beginClone(actor, name, { name: cloneName, asSlave, method }));
}

export async function switchoverAction(name: string, candidate: string, demoteOldMaster: boolean) {
  const actor = await requireActor();
  return start(() => topo.beginSwitchover(actor, name, { candidate, demoteOldMaster }));
}

export async function failoverAction(name: string, candidate?: string) {
  const actor = await requireActor();
  return start(() => topo.beginFailover(actor, name, candidate ? { candidate } : {}));
}

export async function moveAction(name: string, newMaster: string) {
  const actor = await requireActor();
  return finish(name, () => topo.moveSlave(actor, name, { newMaster }));
}

export async function makeMasterAction(name: string) {
  const actor = await requireActor();
  return finish(name, () => topo.makeMaster(actor, name));
}

export async function filtersAction(
  name: string,
  filters: {
    doDb: string[];
    ignoreDb: string[];
    wildDoTable: string[];
    wildIgnoreTable: string[];
    baseRevision?: string;
  },
) {
  const actor = await requireActor();
  return finish(name, () => topo.setFilters(actor, name, filters));
}

export async function failoverPolicyAction(
  name: string,
  autoFailover: boolean,
  confirmMs: number,
  baseRevision: number,
) {
  const actor = await requireActor();
  return finish(name, () => topo.setFailoverPolicy(actor, name, { autoFailover, confirmMs, baseRevision }));
}

export async function semiSyncAction(name: string, enabled: boolean, timeoutMs: number) {
  const actor = await requireActor();
  return finish(name, () => topo.setSemiSync(actor, name, { enabled, timeoutMs }));
}

export async function healingAction(name: string, keepSlaves: number) {
  const actor = await requireActor();
  return finish(name, () => topo.setHealing(actor, name, { keepSlaves }));
}
