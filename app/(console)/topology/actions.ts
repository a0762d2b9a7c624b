"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import { beginDetach, planDetach } from "@/lib/topology/detach";
import { applyFix } from "@/lib/topology/doctor";
import { beginMove, planMove } from "@/lib/topology/relocate";

export async function applyFixAction(id: string) {
  const actor = await requireActor();
  return actionResult(async () => {
    await applyFix(actor, id);
    revalidatePath("/topology");
    return {};
  });
}

/** A drop on the map: what moving `name` under `newMaster` (null: detaching it) would do, or why it cannot. */
export async function planDropAction(name: string, newMaster: string | null) {
  const actor = await requireActor();
  return actionResult(() => (newMaster === null ? planDetach(actor, name) : planMove(actor, name, { newMaster })));
}

/** The confirmed drop: the move (or detach) runs as an operation with live steps. */
export async function dropAction(name: string, newMaster: string | null) {
  const actor = await requireActor();
  return actionResult(async () => {
    const { operationId } =
      newMaster === null ? await beginDetach(actor, name) : await beginMove(actor, name, { newMaster });
    return { operationId };
  });
}
