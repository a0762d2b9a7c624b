import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { getEnvironment } from "@/lib/environments/service";
import { lagHistory } from "@/lib/monitoring/sampler";

/** 24 h of Seconds_Behind_Master and canary ms for this slave: raw for the last hour, 5-minute averages before. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const env = await getEnvironment(actor, (await params).name);
    return NextResponse.json({ points: await lagHistory(env.id) }, { headers: { "cache-control": "no-store" } });
  });
}
