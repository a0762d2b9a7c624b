import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "./actor";
import { clientAddress } from "./client-address";
import { authOptions } from "./options";
import { actorById, actorForToken } from "./users";

/**
 * Who is calling: a Bearer token (API clients) or the next-auth session cookie. The user is re-read from
 * the store on every call, so a deleted user's still-valid JWT grants nothing.
 */
export async function currentActor(request?: Request): Promise<Actor | null> {
  const header = request?.headers.get("authorization");
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? actorForToken(m[1], clientAddress(request?.headers)) : null;
  }
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  return id ? actorById(id) : null;
}

/** The session's user, looked up once per request however many layouts and pages ask. */
const sessionActor = cache(() => currentActor());

/** For pages and server actions: the signed-in user, or off to the sign-in page. */
export async function requireActor(): Promise<Actor> {
  const actor = await sessionActor();
  if (!actor) redirect("/signin");
  return actor;
}
