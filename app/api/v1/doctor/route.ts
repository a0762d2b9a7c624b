import { NextResponse } from "next/server";
import { z } from "zod";
import { readJson, withActor } from "@/lib/api/http";
import { applyFix, diagnose } from "@/lib/topology/doctor";

export async function GET(request: Request) {
  return withActor(request, async (actor) => NextResponse.json({ findings: await diagnose(actor) }));
}

/** {fix: "<finding id>"} → runs its one-click fix, returns the findings after. */
export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const { fix } = await readJson(request, z.strictObject({ fix: z.string().min(1).max(200) }));
    return NextResponse.json({ findings: await applyFix(actor, fix) });
  });
}
