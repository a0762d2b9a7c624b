import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { removeMember } from "@/lib/galera";

/** Removes one member (its server and environment); the others' my.cnf then list the rest. */
export async function DELETE(request: Request, { params }: { params: Promise<{ name: string; node: string }> }) {
  return withActor(request, async (actor) => {
    const { name, node } = await params;
    return NextResponse.json(await removeMember(actor, name, node));
  });
}
