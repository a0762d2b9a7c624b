import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { makeMaster } from "@/lib/topology";

/** Lets this server feed other slaves: log-bin + log-slave-updates (restart) and its replication account. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => NextResponse.json(await makeMaster(actor, (await params).name)));
}
