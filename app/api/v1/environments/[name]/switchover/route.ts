import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginSwitchover } from "@/lib/topology";

/** Planned switchover of this (live) master to {candidate}; {demoteOldMaster} puts it under the new one. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginSwitchover(actor, (await params).name, await readJson(request));
    return NextResponse.json({ operationId, ...(await done) });
  });
}
