import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { describeQuota, myQuota } from "@/lib/quotas";

/** The caller's own usage and limits. */
export async function GET(request: Request) {
  return withActor(request, async (actor) => {
    const quota = await myQuota(actor);
    return NextResponse.json({ ...quota, summary: describeQuota(quota) });
  });
}
