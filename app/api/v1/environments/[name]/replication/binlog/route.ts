import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { enableBinlog } from "@/lib/environments/replication";

/** Turns binary logging on (log-bin + binlog-format = mixed) through the validated config path. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => NextResponse.json(await enableBinlog(actor, (await params).name)));
}
