import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { beginDetach } from "@/lib/topology/detach";

/** This slave stops replicating for good and becomes a standalone, writable server (409 when it is no slave). */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await (await beginDetach(actor, (await params).name)).done),
  );
}
