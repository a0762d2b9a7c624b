import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { listAlerts } from "@/lib/monitoring/alerts";

/** Rules and alert history (open ones have clearedAt null). */
export async function GET(request: Request) {
  return withActor(request, async (actor) => NextResponse.json(await listAlerts(actor)));
}
