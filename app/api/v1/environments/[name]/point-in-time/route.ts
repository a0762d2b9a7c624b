import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginPointInTimeRestore } from "@/lib/backups/service";

/**
 * {name, time | gtid} → a new environment holding exactly what this topology had committed at that second (UTC,
 * inclusive) or GTID: the newest backup before it plus the archived binary logs replayed up to it (201 when ready).
 */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginPointInTimeRestore(actor, (await params).name, await readJson(request));
    return NextResponse.json({ operationId, ...(await done) }, { status: 201 });
  });
}
