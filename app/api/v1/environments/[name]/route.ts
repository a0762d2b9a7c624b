import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { deleteEnvironment, getEnvironment, liveStatus, serializeEnvironment } from "@/lib/environments/service";

type Ctx = { params: Promise<{ name: string }> };

export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const env = await getEnvironment(actor, (await params).name);
    const live = await liveStatus(env);
    return NextResponse.json({ ...serializeEnvironment(env), live });
  });
}

export async function DELETE(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    await deleteEnvironment(actor, (await params).name);
    return new Response(null, { status: 204 });
  });
}
