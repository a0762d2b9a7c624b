import { z } from "zod";
import type { Node } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { parseInput } from "@/lib/validation";
import { environmentName, memoryMb } from "@/lib/names";
import { continueOperation, finishOperation, recordStep, startOperation } from "@/lib/operations";
import { dockerHostNames, driverFor, RUNTIMES, swarmNames } from "@/lib/runtime";
import { chooseDockerHost } from "@/lib/runtime/hosts";
import { retireNodes } from "@/lib/runtime/retired";
import { LOCAL, type Runtime } from "@/lib/runtime/runtime";
import { RuntimeError, type RuntimeDriver } from "@/lib/runtime/driver";
import { encryptSecret, generatePassword } from "@/lib/secrets";
import { type Actor } from "@/lib/auth/actor";
import { assertQuotaAllows } from "@/lib/quotas";
import { nodeSpecOf } from "./spec";
import { findEnvironment, setStatus, type EnvironmentWithNodes } from "./lookup";
// Creating an environment: name, address and server-id reserved under one lock, the server made in the background.

export const createEnvironmentInput = z.strictObject({
  name: environmentName,
  memoryMb: memoryMb.optional(),
  runtime: z.enum(RUNTIMES, { error: `Runtime must be one of: ${RUNTIMES.join(", ")}` }).optional(),
  /** Docker runtime: the registered host to use (default: placement picks one). Swarm: which Swarm. */
  host: environmentName.optional(),
  /** Docker placement: keep away from this environment's host (a slave away from its master). */
  awayFrom: environmentName.optional(),
  /** Swarm placement: a node label the server requires, e.g. "disk=ssd" (a slave inherits its master's). */
  nodeLabel: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]{0,62}=[\w.-]{0,63}$/, "Node label must look like disk=ssd")
    .optional(),
});
export type CreateEnvironmentInput = z.infer<typeof createEnvironmentInput>;

export const DEFAULT_MEMORY_MB = 256;

/** Every address:port recorded for a server or an endpoint: a new one takes none of them, even while it is down. */
export async function takenAddresses() {
  return [
    ...(await db().node.findMany({ select: { host: true, port: true } })),
    ...(await db().proxyEndpoint.findMany()).flatMap((e) => [
      { host: e.host, port: e.writerPort },
      { host: e.host, port: e.readerPort },
    ]),
  ];
}

/**
 * `quotaExempt`: only for environments the system makes for itself and deletes when done (a backup's test
 * restore); never reachable from user input.
 */
export interface CreateOptions {
  quotaExempt?: boolean;
}

/**
 * Reserves the name, an address and a server-id, then creates the server in the background.
 * Returns at once with the operation id (for live progress) and a promise of the ready environment.
 * On failure nothing is left: the driver removes the node, the rows are deleted, the operation keeps the error.
 */
export async function beginCreateEnvironment(
  actor: Actor,
  raw: unknown,
  options: CreateOptions = {},
): Promise<{ operationId: string; done: Promise<EnvironmentWithNodes> }> {
  const input = parseInput(createEnvironmentInput, raw);
  const driver = driverFor(await runtimeFor(actor, input));
  const near = input.awayFrom ? await findEnvironment(actor, input.awayFrom) : null;
  const hints = {
    avoid: near?.nodes.map((n) => n.host) ?? [],
    label: input.nodeLabel ?? near?.nodeLabel ?? null,
  };
  const engineVersion = await driver.engineVersion().catch((e: Error) => {
    throw new ServiceError(500, "runtime_unavailable", e.message);
  });
  const rootPassword = generatePassword();

  // Placement and server-id must not race with another create: one global lock, rows inserted inside it.
  const { env, node, operationId } = await withLock("placement", async () => {
    const existing = await db().environment.findUnique({
      where: { ownerId_name: { ownerId: actor.id, name: input.name } },
    });
    if (existing) throw new ServiceError(409, "name_taken", `You already have an environment named "${input.name}"`);
    // Counted under the same lock as the insert below: two creates cannot both take the last slot.
    if (!options.quotaExempt)
      await assertQuotaAllows(actor, { environments: 1, memoryMb: input.memoryMb ?? DEFAULT_MEMORY_MB });
    const operationId = await startOperation({
      userId: actor.id,
      action: "environment.create",
      target: input.name,
      params: { name: input.name, memoryMb: input.memoryMb ?? DEFAULT_MEMORY_MB, runtime: driver.kind },
    });
    try {
      await recordStep(operationId, "allocating");
      const placement = await driver.place(await takenAddresses(), hints);
      const maxServerId = await db().node.aggregate({ _max: { serverId: true } });
      const env = await db().environment.create({
        data: {
          name: input.name,
          ownerId: actor.id,
          runtime: driver.kind,
          engineVersion,
          memoryMb: input.memoryMb ?? DEFAULT_MEMORY_MB,
          nodeLabel: hints.label,
          status: "creating",
          nodes: {
            create: {
              host: placement.host,
              port: placement.port,
              serverId: (maxServerId._max.serverId ?? 0) + 1,
              rootPasswordEnc: encryptSecret(rootPassword),
            },
          },
        },
        include: { nodes: true },
      });
      await db().operation.update({ where: { id: operationId }, data: { environmentId: env.id } });
      return { env, node: env.nodes[0], operationId };
    } catch (e) {
      await finishOperation(operationId, e);
      throw e;
    }
  });

  // The operation started under the placement lock above; its body runs under the environment's own lock.
  const done = withLock(env.id, () =>
    continueOperation(operationId, async (step) => {
      try {
        const ref = await createPlaced(driver, env, node, rootPassword, step);
        await db().node.update({
          where: { id: node.id },
          data: { baseDir: ref.baseDir, containerId: ref.containerId, pid: ref.pid, startedAt: new Date() },
        });
        await db().configRevision.create({
          data: {
            environmentId: env.id,
            content: await driver.readConfig(ref),
            author: "mariner",
            result: "applied",
            message: "Generated at creation",
          },
        });
        await setStatus(env.id, "running");
        return db().environment.findUniqueOrThrow({ where: { id: env.id }, include: { nodes: true } });
      } catch (e) {
        // The driver cleans up after a failed create; should its host have stopped answering, the sweep finishes.
        await retireNodes(env.runtime, [node.id]).catch(() => undefined);
        await db()
          .environment.delete({ where: { id: env.id } })
          .catch(() => undefined);
        throw e instanceof RuntimeError ? new ServiceError(500, "create_failed", e.message, e.serverLines) : e;
      }
    }),
  );
  done.catch(() => undefined); // the UI path does not await it; failures live in the operation
  return { operationId, done };
}

/**
 * Placement checks that an address is free, but another program (another console on this machine, a test suite)
 * can bind it before mariadbd does. Then the server is placed again, at most twice, instead of failing the create.
 */
async function createPlaced(
  driver: RuntimeDriver,
  env: EnvironmentWithNodes,
  node: Node,
  rootPassword: string,
  step: (name: string) => Promise<void>,
) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await driver.create(nodeSpecOf(env, node), rootPassword, step);
    } catch (e) {
      if (!(e instanceof RuntimeError && /address is already in use/.test(e.message)) || attempt === 2) throw e;
      await step(`${node.host}:${node.port} was taken meanwhile: placing again`);
      node = await withLock("placement", async () => {
        const placement = await driver.place([...(await takenAddresses()), { host: node.host, port: node.port }]);
        return db().node.update({ where: { id: node.id }, data: { host: placement.host, port: placement.port } });
      });
    }
  }
}

/** Local processes, a Docker engine (the requested host or the one placement picks), or a Swarm. */
async function runtimeFor(actor: Actor, input: CreateEnvironmentInput): Promise<Runtime> {
  if (input.nodeLabel && input.runtime !== "swarm")
    throw new ServiceError(400, "invalid_request", "nodeLabel applies to the swarm runtime only");
  if ((input.runtime ?? "local") === "local") {
    if (input.host) throw new ServiceError(400, "invalid_request", "host applies to the docker runtime only");
    return LOCAL;
  }
  if (input.runtime === "swarm") {
    const cluster = input.host ?? swarmNames()[0];
    if (!cluster || !swarmNames().includes(cluster))
      throw new ServiceError(
        400,
        "invalid_request",
        cluster ? `Swarm "${cluster}" is not registered` : "No Swarm is registered (admin → Hosts)",
      );
    return { kind: "swarm", cluster };
  }
  if (input.host) {
    if (!dockerHostNames().includes(input.host))
      throw new ServiceError(400, "invalid_request", `Docker host "${input.host}" is not registered`);
    return { kind: "docker", host: input.host };
  }
  const away = input.awayFrom ? (await findEnvironment(actor, input.awayFrom))?.runtime : null;
  return chooseDockerHost(away);
}

export async function createEnvironment(
  actor: Actor,
  raw: unknown,
  options: CreateOptions = {},
): Promise<EnvironmentWithNodes> {
  return (await beginCreateEnvironment(actor, raw, options)).done;
}
