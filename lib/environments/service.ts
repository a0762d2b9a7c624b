import { z } from "zod";
import type { Environment } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { parseInput } from "@/lib/validation";
import { runOperation } from "@/lib/operations";
import { driverFor } from "@/lib/runtime";
import { RuntimeError } from "@/lib/runtime/driver";
import { type Actor } from "@/lib/auth/actor";
import { nodeRefOf } from "./spec";
import { getEnvironment, primaryNode, setStatus, type EnvironmentWithNodes } from "./lookup";

// An environment's life after creation: start/stop/restart, delete, connection details, status. Lookups and
// creation live in lookup.ts and create.ts; this module is the entry point importers use for all three.
export * from "./lookup";
export * from "./create";

export const environmentActionInput = z.strictObject({
  action: z.enum(["start", "stop", "restart"], { error: "Action must be start, stop or restart" }),
});

function assertSettled(env: Environment) {
  if (env.status === "creating" || env.status === "deleting") {
    throw new ServiceError(409, "busy", `Environment "${env.name}" is ${env.status}; try again when it finishes`);
  }
}

export async function environmentAction(actor: Actor, name: string, raw: unknown): Promise<EnvironmentWithNodes> {
  const found = await getEnvironment(actor, name);
  const { action } = parseInput(environmentActionInput, raw);
  return withLock(found.id, async () => {
    const env = await db().environment.findUniqueOrThrow({ where: { id: found.id }, include: { nodes: true } });
    assertSettled(env);
    const node = primaryNode(env);
    const driver = driverFor(env.runtime);
    await runOperation(
      { userId: actor.id, action: `environment.${action}`, environmentId: env.id, target: env.name },
      async () => {
        await db().environment.update({
          where: { id: env.id },
          data: { desiredState: action === "stop" ? "stopped" : "running" },
        });
        try {
          const ref = nodeRefOf(node);
          const after =
            action === "start"
              ? await driver.start(ref)
              : action === "stop"
                ? await driver.stop(ref)
                : await driver.restart(ref);
          await db().node.update({
            where: { id: node.id },
            data: { pid: after.pid, startedAt: after.pid ? new Date() : node.startedAt },
          });
          await setStatus(env.id, action === "stop" ? "stopped" : "running");
        } catch (e) {
          const alive = await driver.isAlive(nodeRefOf(node)).catch(() => false);
          await setStatus(env.id, alive ? "running" : "down", (e as Error).message);
          if (e instanceof RuntimeError) throw new ServiceError(500, `${action}_failed`, e.message, e.serverLines);
          throw e;
        }
      },
    );
    return db().environment.findUniqueOrThrow({ where: { id: env.id }, include: { nodes: true } });
  });
}

/**
 * `memberOf`: only lib/galera, which removes a member of that cluster around this (holding every member's lock).
 */
export async function deleteEnvironment(actor: Actor, name: string, { memberOf }: { memberOf?: string } = {}) {
  // A member is found through its cluster (which the actor may see), never by name alone.
  const found = memberOf
    ? await db().environment.findFirst({ where: { galeraClusterId: memberOf, name }, include: { nodes: true } })
    : await getEnvironment(actor, name);
  if (!found) throw notFound(`Environment "${name}"`);
  if (!memberOf && found.galeraClusterId)
    throw new ServiceError(
      409,
      "galera_member",
      `"${name}" is a member of a Galera cluster: remove it on the cluster's page (Remove node) or delete the cluster`,
    );
  const work = async () => {
    const env = await db().environment.findUniqueOrThrow({ where: { id: found.id }, include: { nodes: true } });
    if (env.status === "creating")
      throw new ServiceError(409, "busy", `Environment "${env.name}" is still being created`);
    await runOperation(
      { userId: actor.id, action: "environment.delete", environmentId: env.id, target: env.name },
      async () => {
        await setStatus(env.id, "deleting");
        const driver = driverFor(env.runtime);
        for (const node of env.nodes) await driver.destroy(nodeRefOf(node));
        // Its monitoring goes with it; its backups stay (restorable into a new environment).
        await db().$transaction([
          db().alertRule.deleteMany({ where: { environmentId: env.id } }),
          db().lagSample.deleteMany({ where: { environmentId: env.id } }),
          db().databaseSizeSample.deleteMany({ where: { environmentId: env.id } }),
          db().backupPolicy.deleteMany({ where: { environmentId: env.id } }),
          // A kept slave deleted on purpose: its master keeps one fewer (healing replaces lost ones, not these).
          db().environment.updateMany({
            where: { id: env.keptBy ?? "", desiredSlaves: { gt: 0 } },
            data: { desiredSlaves: { decrement: 1 } },
          }),
          db().environment.delete({ where: { id: env.id } }),
        ]);
      },
    );
  };
  // A cluster operation already holds every member's lock.
  await (memberOf ? work() : withLock(found.id, work));
}

export async function connectionDetails(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const node = primaryNode(env);
  const ref = nodeRefOf(node);
  return { host: node.host, port: node.port, user: "root", password: ref.rootPassword };
}

export async function errorLogTail(actor: Actor, name: string, lines = 50): Promise<string[]> {
  const env = await getEnvironment(actor, name);
  if (env.status === "creating" || env.status === "deleting") return [];
  return driverFor(env.runtime).tailErrorLog(nodeRefOf(primaryNode(env)), lines);
}

/** Live details for one environment (a real login): version, uptime, pid. */
export async function liveStatus(env: EnvironmentWithNodes) {
  if (env.status === "creating" || env.status === "deleting" || !env.nodes[0]) return null;
  return driverFor(env.runtime).status(nodeRefOf(env.nodes[0]));
}

export function serializeEnvironment(env: EnvironmentWithNodes) {
  const node = env.nodes[0];
  return {
    name: env.name,
    status: env.status,
    statusDetail: env.statusDetail,
    desiredState: env.desiredState,
    runtime: env.runtime,
    engineVersion: env.engineVersion,
    memoryMb: env.memoryMb,
    host: node?.host ?? null,
    port: node?.port ?? null,
    serverId: node?.serverId ?? null,
    createdAt: env.createdAt.toISOString(),
  };
}
