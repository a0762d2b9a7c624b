import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { addRule } from "@/lib/monitoring/alerts";

/** {kind: node-down|thread-stopped|replication-error|lag, thresholdSec?, forSec?, webhookUrl?} */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await addRule(actor, (await params).name, await readJson(request)), { status: 201 }),
  );
}
