import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { addReplicationUser, dropReplicationUser, replicationStatus } from "@/lib/environments/replication";

type Ctx = { params: Promise<{ name: string }> };

export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json({ users: (await replicationStatus(actor, (await params).name)).replicationUsers }),
  );
}

/** "Add slave replication user": {user, password, host?} → GRANT REPLICATION SLAVE. */
export async function POST(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    return NextResponse.json(await addReplicationUser(actor, (await params).name, input), { status: 201 });
  });
}

export async function DELETE(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    await dropReplicationUser(actor, (await params).name, input);
    return new Response(null, { status: 204 });
  });
}
