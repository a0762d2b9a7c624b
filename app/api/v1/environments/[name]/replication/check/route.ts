import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { checkReplication } from "@/lib/environments/replication";

/** Canary write on this master; per slave {arrived, ms, databaseVisible}. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => NextResponse.json(await checkReplication(actor, (await params).name)));
}
