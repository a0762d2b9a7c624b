import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { getSemiSync, setSemiSync } from "@/lib/topology";

type Ctx = { params: Promise<{ name: string }> };

/** {enabled, timeoutMs, observed, since, detail, now}: the setting, the monitor's last look, and the server's word. */
export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => NextResponse.json(await getSemiSync(actor, (await params).name)));
}

/** {enabled, timeoutMs?}: semi-synchronous replication for this master and its slaves, live and in each my.cnf. */
export async function PUT(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json(await setSemiSync(actor, (await params).name, await readJson(request))),
  );
}
