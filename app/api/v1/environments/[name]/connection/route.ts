import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { connectionDetails } from "@/lib/environments/service";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const details = await connectionDetails(actor, (await params).name);
    return NextResponse.json(details, { headers: { "cache-control": "no-store" } });
  });
}
