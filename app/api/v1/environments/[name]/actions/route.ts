import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { environmentAction, serializeEnvironment } from "@/lib/environments/service";

export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    const env = await environmentAction(actor, (await params).name, input);
    return NextResponse.json(serializeEnvironment(env));
  });
}
