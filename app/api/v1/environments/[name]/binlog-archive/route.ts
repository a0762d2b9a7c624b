import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { pointInTimeView, setBinlogArchive } from "@/lib/backups/service";

type Ctx = { params: Promise<{ name: string }> };

/**
 * {enabled, state, from, to, gaps, eras}: whether this topology's binary logs are archived, the recoverable window
 * (oldest usable backup → last archived transaction), gaps with their reason, and one era per master. null: off.
 */
export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => NextResponse.json(await pointInTimeView(actor, (await params).name)));
}

/** {enabled}: archive this master's binary logs continuously (it follows switchover and failover). */
export async function PUT(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const { name } = await params;
    await setBinlogArchive(actor, name, await readJson(request));
    return NextResponse.json(await pointInTimeView(actor, name));
  });
}
