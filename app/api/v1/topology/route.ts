import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { discoverTopology } from "@/lib/topology/discover";

/** The user's replication graph, discovered live from the servers. */
export async function GET(request: Request) {
  return withActor(request, async (actor) =>
    NextResponse.json(await discoverTopology(actor), { headers: { "cache-control": "no-store" } }),
  );
}
