import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { setReplicationTls } from "@/lib/environments/tls";

/** "Encrypt replication" for this slave and its master: {enabled}. */
export async function PUT(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await setReplicationTls(actor, (await params).name, await readJson(request))),
  );
}
