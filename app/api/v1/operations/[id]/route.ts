import { NextResponse } from "next/server";
import { apiError, withActor } from "@/lib/api/http";
import { getOperation } from "@/lib/operations";

/** Live progress of a long operation (create, …): its steps so far, and on failure the server's error lines. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withActor(request, async (actor) => {
    const op = await getOperation((await params).id);
    if (!op || (op.userId !== actor.id && actor.role !== "admin"))
      return apiError(404, "not_found", "Operation not found");
    return NextResponse.json(op, { headers: { "cache-control": "no-store" } });
  });
}
