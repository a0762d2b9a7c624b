import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { beginRecoverCluster } from "@/lib/galera";

/**
 * Starts the members that are down (they rejoin), or after a full crash bootstraps the most advanced member and
 * rejoins the rest; 409 when members run outside a primary component (a split is never forced).
 */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const done = await (await beginRecoverCluster(actor, (await params).name)).done;
    return NextResponse.json({ recovery: done });
  });
}
