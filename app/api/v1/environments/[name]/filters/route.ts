import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { setFilters } from "@/lib/topology";

/** {doDb[], ignoreDb[], wildDoTable[], wildIgnoreTable[], baseRevision?} → replication filters on this slave (restart; 409 if my.cnf changed since baseRevision). */
export async function PUT(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await setFilters(actor, (await params).name, await readJson(request))),
  );
}
