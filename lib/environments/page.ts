import { notFound } from "next/navigation";
import { requireActor } from "@/lib/auth/session";
import { findEnvironment } from "./service";

/** For environment pages: the signed-in user and their environment, or the 404 page (never an exception). */
export async function pageEnvironment(name: string) {
  const actor = await requireActor();
  const env = await findEnvironment(actor, name);
  if (!env) notFound();
  return { actor, env };
}
