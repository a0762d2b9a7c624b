import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginAddSlaves } from "@/lib/topology";

/** "Add slave": {count, namePrefix?} → N slaves seeded with this master's data, replicating (201 when done). */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginAddSlaves(actor, (await params).name, await readJson(request));
    return NextResponse.json({ operationId, ...(await done) }, { status: 201 });
  });
}
