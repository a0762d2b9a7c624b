import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { replicationStatus } from "@/lib/environments/replication";

/** {master: {...}, slave: {<all SHOW SLAVE STATUS columns>} | null, health: {state, message, hint}, connections: [{name, status, health}] (named, multi-source)}. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await replicationStatus(actor, (await params).name), {
      headers: { "cache-control": "no-store" },
    }),
  );
}
