import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { newTokenInput } from "@/lib/api/schemas";
import { issueToken, listTokens } from "@/lib/auth/users";

export async function GET(request: Request) {
  return withActor(request, async (actor) => NextResponse.json({ tokens: await listTokens(actor) }));
}

/** A new token for the caller (shown once). */
export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const { name } = await readJson(request, newTokenInput);
    return NextResponse.json({ token: await issueToken(actor, name ?? "api") }, { status: 201 });
  });
}
