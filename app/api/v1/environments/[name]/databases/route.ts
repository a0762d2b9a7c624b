import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { createDatabase, dropDatabase, listDatabases } from "@/lib/data/databases";

type Ctx = { params: Promise<{ name: string }> };

/** `databases`: the names (as before); `items`: each with size, tables, character set and collation. */
export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    const list = await listDatabases(actor, (await params).name);
    return NextResponse.json({ databases: list.items.map((d) => d.name), ...list });
  });
}

/** {name, charset?, collation?} → CREATE DATABASE on the master (slaves follow). */
export async function POST(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json(await createDatabase(actor, (await params).name, await readJson(request)), { status: 201 }),
  );
}

/** {name, confirm} (the name typed again) → DROP DATABASE. */
export async function DELETE(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    await dropDatabase(actor, (await params).name, await readJson(request));
    return new Response(null, { status: 204 });
  });
}
