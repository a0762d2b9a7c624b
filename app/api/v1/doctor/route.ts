import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { doctorFixInput } from "@/lib/api/schemas";
import { applyFix, diagnose } from "@/lib/topology/doctor";

export async function GET(request: Request) {
  return withActor(request, async (actor) => NextResponse.json({ findings: await diagnose(actor) }));
}

/** {fix: "<finding id>"} → runs its one-click fix, returns the findings after. */
export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const { fix } = await readJson(request, doctorFixInput);
    return NextResponse.json({ findings: await applyFix(actor, fix) });
  });
}
