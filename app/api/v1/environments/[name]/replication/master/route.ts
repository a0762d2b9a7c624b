import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { configureMaster } from "@/lib/environments/replication";

/** "Configure master" / "Add source": {connection? (named = multi-source), ownGtidDomain?, masterEnvironment | host+port, user, password, mode: gtid|binlog, logFile?, logPos?}. */
export async function PUT(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    return NextResponse.json(await configureMaster(actor, (await params).name, input));
  });
}
