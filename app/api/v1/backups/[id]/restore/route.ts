import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginRestore } from "@/lib/backups/service";

/** {name, asSlave?} → a new environment from this backup (201 when ready). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginRestore(actor, (await params).id, await readJson(request));
    return NextResponse.json({ operationId, ...(await done) }, { status: 201 });
  });
}
