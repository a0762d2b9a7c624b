import type { Environment, Node } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/errors";
import { environmentName } from "@/lib/names";
import { isAdmin, type Actor } from "@/lib/auth/actor";
// Finding environments as an actor may see them (admins fall back to anyone's), and their status writes.

export type EnvironmentWithNodes = Environment & { nodes: Node[] };

/** Admins see everyone's environments; users only their own. */
function visibleTo(actor: Actor) {
  return isAdmin(actor) ? {} : { ownerId: actor.id };
}

export async function listEnvironments(actor: Actor): Promise<EnvironmentWithNodes[]> {
  return db().environment.findMany({
    where: visibleTo(actor),
    include: { nodes: true },
    orderBy: { createdAt: "asc" },
  });
}

/** The actor's own environment by name (admins fall back to anyone's); null when not visible. */
export async function findEnvironment(actor: Actor, name: string): Promise<EnvironmentWithNodes | null> {
  if (!environmentName.safeParse(name).success) return null;
  const own = await db().environment.findUnique({
    where: { ownerId_name: { ownerId: actor.id, name } },
    include: { nodes: true },
  });
  if (own || !isAdmin(actor)) return own;
  return db().environment.findFirst({ where: { name }, include: { nodes: true }, orderBy: { createdAt: "asc" } });
}

export async function getEnvironment(actor: Actor, name: string): Promise<EnvironmentWithNodes> {
  const env = await findEnvironment(actor, name);
  if (!env) throw notFound(`Environment "${name}"`);
  return env;
}

export function primaryNode(env: EnvironmentWithNodes): Node {
  const node = env.nodes[0];
  if (!node) throw new ServiceError(409, "no_node", `Environment "${env.name}" has no server`);
  return node;
}

export async function setStatus(id: string, status: string, detail: string | null = null) {
  await db().environment.update({ where: { id }, data: { status, statusDetail: detail, statusAt: new Date() } });
}
