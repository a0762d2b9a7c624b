import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginBackup, listBackups } from "@/lib/backups/service";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json({ backups: (await listBackups(actor, (await params).name)).map(({ file: _file, ...b }) => b) }),
  );
}

/**
 * Takes a backup now (from a paused slave when one exists), `{method: "physical" | "logical"}` (default: physical
 * where the runtime allows it); 201 when it is on disk with its checksum, read back.
 */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    const { operationId, done } = await beginBackup(actor, (await params).name, { input });
    return NextResponse.json({ operationId, ...(await done) }, { status: 201 });
  });
}
