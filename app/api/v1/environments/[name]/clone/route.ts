import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginClone } from "@/lib/topology";

/** {name, asSlave?} → a new environment with this one's config and a consistent copy of its data. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginClone(actor, (await params).name, await readJson(request));
    return NextResponse.json({ operationId, ...(await done) }, { status: 201 });
  });
}
