import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { setGrant } from "@/lib/data/accounts";

/** {user, host?, database, level} → the REVOKE/GRANT statements that ran. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json((await setGrant(actor, (await params).name, await readJson(request))) ?? {}),
  );
}
