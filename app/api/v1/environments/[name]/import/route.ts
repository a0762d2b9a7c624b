import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { beginImport, cancelImport } from "@/lib/data/import";

type Ctx = { params: Promise<{ name: string }> };

/**
 * The .sql or .sql.gz file as the raw body; `?database=` to load into one (new or empty) database, without it
 * into the databases the dump creates. 202 once received and checked: follow /api/v1/operations/{operationId}.
 */
export async function POST(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const url = new URL(request.url);
    const query = Object.fromEntries([...url.searchParams].filter(([k]) => k === "database" || k === "fileName"));
    const { done: _done, ...started } = await beginImport(actor, (await params).name, query, request.body);
    return NextResponse.json(started, { status: 202 });
  });
}

/** `?operation=ID`: cancels a running import (what it loaded is dropped again). */
export async function DELETE(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    await cancelImport(actor, (await params).name, new URL(request.url).searchParams.get("operation") ?? "");
    return new Response(null, { status: 204 });
  });
}
