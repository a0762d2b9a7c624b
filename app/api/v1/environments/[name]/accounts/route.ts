import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { createAccount, dropAccount, listAccounts } from "@/lib/data/accounts";

type Ctx = { params: Promise<{ name: string }> };

export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json({ accounts: await listAccounts(actor, (await params).name) }),
  );
}

/** {user, host?, password?, requireSsl?, grants?: [{database, level}]}; a generated password is returned once. */
export async function POST(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json(await createAccount(actor, (await params).name, await readJson(request)), { status: 201 }),
  );
}

export async function DELETE(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => {
    await dropAccount(actor, (await params).name, await readJson(request));
    return new Response(null, { status: 204 });
  });
}
