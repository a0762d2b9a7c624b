import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { createUser } from "@/lib/auth/users";
import { listUsersWithQuotas } from "@/lib/quotas";

export async function GET(request: Request) {
  return withActor(request, async (actor) => NextResponse.json({ users: await listUsersWithQuotas(actor) }));
}

export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const input = await readJson(request);
    const user = await createUser(actor, input);
    return NextResponse.json({ id: user.id, email: user.email, role: user.role }, { status: 201 });
  });
}
