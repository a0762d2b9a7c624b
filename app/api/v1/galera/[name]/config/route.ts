import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginRollingConfig } from "@/lib/galera";
import { rollingInput } from "@/lib/galera/rolling";

/** A rolling my.cnf change ({"set": {"max_connections": "300"}}): one member at a time, Synced before the next. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const input = await readJson(request, rollingInput);
    return NextResponse.json(await (await beginRollingConfig(actor, (await params).name, input)).done);
  });
}
