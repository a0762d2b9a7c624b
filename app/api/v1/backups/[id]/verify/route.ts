import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { verifyBackup } from "@/lib/backups/service";

/** Test restore into a temporary environment, row counts compared with the backup's record; 422 on mismatch. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withActor(request, async (actor) => NextResponse.json(await verifyBackup(actor, (await params).id)));
}
