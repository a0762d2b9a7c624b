import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { getUserWithQuota, setUserLimits } from "@/lib/quotas";

type Ctx = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => NextResponse.json(await getUserWithQuota(actor, (await params).id)));
}

/** Admin: `{maxEnvironments?, maxMemoryMb?}`, each a whole number or null for the site default. */
export async function PATCH(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    return NextResponse.json(await setUserLimits(actor, (await params).id, input));
  });
}
