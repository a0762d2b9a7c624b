import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { clusterStatus, deleteCluster } from "@/lib/galera";

type Params = { params: Promise<{ name: string }> };

/** Every member's wsrep state (Synced, size, UUID, flow control, queues, seqno) and the cluster's health. */
export async function GET(request: Request, { params }: Params) {
  return withActor(request, async (actor) => NextResponse.json(await clusterStatus(actor, (await params).name)));
}

export async function DELETE(request: Request, { params }: Params) {
  return withActor(request, async (actor) => {
    await deleteCluster(actor, (await params).name);
    return new NextResponse(null, { status: 204 });
  });
}
