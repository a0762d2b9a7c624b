import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { preflight } from "@/lib/topology";

/** The switchover/failover report for this master: candidates, what would be lost, and why it is blocked. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const candidate = new URL(request.url).searchParams.get("candidate") ?? undefined;
    return NextResponse.json(await preflight(actor, (await params).name, candidate));
  });
}
