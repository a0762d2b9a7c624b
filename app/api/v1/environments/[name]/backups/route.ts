import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { beginBackup, listBackups } from "@/lib/backups/service";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json({ backups: (await listBackups(actor, (await params).name)).map(({ file: _file, ...b }) => b) }),
  );
}

/** Takes a backup now (from a paused slave when one exists); 201 when it is on disk with its checksum. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const { operationId, done } = await beginBackup(actor, (await params).name);
    return NextResponse.json({ operationId, ...(await done) }, { status: 201 });
  });
}
