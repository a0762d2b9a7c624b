import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { getConfig, saveConfig } from "@/lib/environments/config";

type Ctx = { params: Promise<{ name: string }> };

export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => NextResponse.json(await getConfig(actor, (await params).name)));
}

/** Validated, applied with a restart; 422 with the offending lines, rolled back if the server does not start. */
export async function PUT(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    return NextResponse.json(await saveConfig(actor, (await params).name, input));
  });
}
