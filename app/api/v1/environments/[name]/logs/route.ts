import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { errorLogTail } from "@/lib/environments/service";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const lines = Math.min(500, Math.max(1, Number(new URL(request.url).searchParams.get("lines")) || 50));
    return NextResponse.json({ lines: await errorLogTail(actor, (await params).name, lines) });
  });
}
