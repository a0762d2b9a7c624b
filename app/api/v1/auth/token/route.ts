import { NextResponse } from "next/server";
import { errorResponse, readJson, apiError } from "@/lib/api/http";
import { tokenRequestInput } from "@/lib/api/schemas";
import { clientAddress } from "@/lib/auth/client-address";
import { authenticate, issueToken } from "@/lib/auth/users";

/** Exchanges e-mail + password for a Bearer token (shown once; only its hash is stored). */
export async function POST(request: Request) {
  try {
    const input = await readJson(request, tokenRequestInput);
    const actor = await authenticate(input.email, input.password, clientAddress(request.headers));
    if (!actor) return apiError(401, "invalid_credentials", "Wrong e-mail or password");
    return NextResponse.json({ token: await issueToken(actor, input.name ?? "api") }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
}
