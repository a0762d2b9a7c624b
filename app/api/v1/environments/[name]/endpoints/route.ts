import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { createEndpoints } from "@/lib/topology/endpoints";

/** Writer and reader endpoints (HAProxy) for this master's topology: {name?} → {writer, reader}. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await createEndpoints(actor, (await params).name, await readJson(request)), { status: 201 }),
  );
}
