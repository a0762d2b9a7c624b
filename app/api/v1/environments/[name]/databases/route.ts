import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { databases } from "@/lib/environments/sql";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json({ databases: await databases(actor, (await params).name) }),
  );
}
