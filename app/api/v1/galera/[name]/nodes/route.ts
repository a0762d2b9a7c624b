import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { beginAddMember } from "@/lib/galera";

/** Adds a node: placed, its server made, joined by a state transfer; answers once it is Synced (201). */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await (await beginAddMember(actor, (await params).name)).done, { status: 201 }),
  );
}
