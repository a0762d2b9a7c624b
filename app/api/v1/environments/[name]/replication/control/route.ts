import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { controlSlave } from "@/lib/environments/replication";

/** "Control slave": {action: full-start | full-stop | start-io | stop-io | start-sql | stop-sql | reset | skip-errors (count) | remove, connection?: named multi-source connection}. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    return NextResponse.json(await controlSlave(actor, (await params).name, input));
  });
}
