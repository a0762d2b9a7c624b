import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { setFailoverPolicy } from "@/lib/topology/operations";

/** {autoFailover, graceSec?}: fail this master over automatically when it stays dead past the grace period. */
export async function PUT(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => NextResponse.json(await setFailoverPolicy(actor, (await params).name, await readJson(request))));
}
