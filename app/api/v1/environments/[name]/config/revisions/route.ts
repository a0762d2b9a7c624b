import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { listRevisions } from "@/lib/environments/config-revisions";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const revisions = await listRevisions(actor, (await params).name);
    return NextResponse.json({
      revisions: revisions.map((r) => ({
        id: r.id,
        author: r.author,
        result: r.result,
        message: r.message,
        createdAt: r.createdAt.toISOString(),
        content: r.content,
      })),
    });
  });
}
