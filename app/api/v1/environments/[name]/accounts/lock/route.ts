import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { lockAccount } from "@/lib/data/accounts";

/** {user, host?, locked} → ACCOUNT LOCK / UNLOCK. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json((await lockAccount(actor, (await params).name, await readJson(request))) ?? {}),
  );
}
