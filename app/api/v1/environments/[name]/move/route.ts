import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { moveSlave } from "@/lib/topology";

/** {newMaster} → this slave replicates from another server, keeping its GTID position; illegal moves are 409. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await moveSlave(actor, (await params).name, await readJson(request))),
  );
}
