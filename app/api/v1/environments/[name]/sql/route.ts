import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { runSql } from "@/lib/environments/sql";

/** {statement, database?} → {kind: rows, columns, rows} | {kind: ok, affectedRows} | {kind: error, message}. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    return NextResponse.json(await runSql(actor, (await params).name, input));
  });
}
