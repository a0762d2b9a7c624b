import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { setFilters } from "@/lib/topology/operations";

/** {doDb[], ignoreDb[], wildDoTable[], wildIgnoreTable[]} → replication filters on this slave (restart). */
export async function PUT(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => NextResponse.json(await setFilters(actor, (await params).name, await readJson(request))));
}
