import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { listEndpoints } from "@/lib/proxy/endpoints";

export async function GET(request: Request) {
  return withActor(request, async (actor) => NextResponse.json({ endpoints: await listEndpoints(actor) }));
}
