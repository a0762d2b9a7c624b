import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { changePassword } from "@/lib/data/accounts";

/** {user, host?, password?} → a generated password when none was given. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json((await changePassword(actor, (await params).name, await readJson(request))) ?? {}),
  );
}
