import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { notFound } from "@/lib/errors";
import { createGaleraEndpoints, deleteGaleraEndpoints, galeraEndpointOf } from "@/lib/galera";

type Params = { params: Promise<{ name: string }> };

export async function GET(request: Request, { params }: Params) {
  return withActor(request, async (actor) => {
    const name = (await params).name;
    const ep = await galeraEndpointOf(actor, name);
    if (!ep) throw notFound(`Endpoints of "${name}"`);
    return NextResponse.json(ep);
  });
}

/** A writer endpoint (one Synced member at a time) and a reader endpoint (every Synced member). */
export async function POST(request: Request, { params }: Params) {
  return withActor(request, async (actor) =>
    NextResponse.json(await createGaleraEndpoints(actor, (await params).name), { status: 201 }),
  );
}

export async function DELETE(request: Request, { params }: Params) {
  return withActor(request, async (actor) => {
    await deleteGaleraEndpoints(actor, (await params).name);
    return new NextResponse(null, { status: 204 });
  });
}
