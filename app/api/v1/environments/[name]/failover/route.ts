import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginFailover } from "@/lib/topology";

/** Failover of this dead master to the most advanced slave (or {candidate}, if it is the most advanced). */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginFailover(actor, (await params).name, await readJson(request));
    return NextResponse.json({ operationId, ...(await done) });
  });
}
