// Creating a Galera cluster, as named phases: reserve (names, addresses, server ids, rows, under the placement
// lock), make each server, give the first the SST account, write every member's wsrep settings, bootstrap the
// first, join the others one by one (each by a state transfer, waiting for Synced). Any failure removes it all.
import crypto from "node:crypto";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { continueOperation, finishOperation, recordStep, startOperation } from "@/lib/operations";
import { asRoot } from "@/lib/environments/root";
import { takenAddresses, DEFAULT_MEMORY_MB } from "@/lib/environments/create";
import type { EnvironmentWithNodes } from "@/lib/environments/lookup";
import { nodeRefOf, nodeSpecOf } from "@/lib/environments/spec";
import { ensureSstAccount } from "@/lib/mariadb/galera";
import { environmentName, memoryMb } from "@/lib/names";
import { assertQuotaAllows } from "@/lib/quotas";
import { driverFor, RUNTIMES } from "@/lib/runtime";
import { RuntimeError, type NodeRef, type Placement, type RuntimeDriver } from "@/lib/runtime/driver";
import { canBind } from "@/lib/runtime/ports";
import { retireNodes } from "@/lib/runtime/retired";
import { LOCAL } from "@/lib/runtime/runtime";
import { decryptSecret, encryptSecret, generatePassword } from "@/lib/secrets";
import { parseInput } from "@/lib/validation";
import { memberName, membersOf, waitSynced, withMemberLocks, writeMemberOptions } from "./members";
import { GALERA_PORTS } from "./settings";

export const createClusterInput = z.strictObject({
  // Members are named <name>-<n>: the name leaves room for the suffix within an environment name's 40 characters.
  name: environmentName.refine((n) => n.length <= 37, "A cluster name must be at most 37 characters"),
  nodes: z.union([z.literal(3), z.literal(5)], { error: "A Galera cluster has 3 or 5 nodes" }).default(3),
  memoryMb: memoryMb.optional(),
  runtime: z.enum(RUNTIMES, { error: `Runtime must be one of: ${RUNTIMES.join(", ")}` }).optional(),
});

const SST_USER = "mariner_sst";

/** A member's address and Galera's ports on it must all be free: placement checked the client port only. */
export async function placeMember(driver: RuntimeDriver, taken: Placement[]): Promise<Placement> {
  const refused: Placement[] = [];
  for (let i = 0; i < 20; i++) {
    const p = await driver.place([...taken, ...refused]);
    const ports = Object.values(GALERA_PORTS);
    if (p.host !== "127.0.0.1" && (await Promise.all(ports.map((port) => canBind(p.host, port)))).every(Boolean))
      return p;
    refused.push(p);
  }
  throw new ServiceError(503, "no_address", "No loopback address has Galera's ports (4567, 4568, 4444) free");
}

/** Reserves everything, then makes the cluster in the background; returns the operation id at once. */
export async function beginCreateCluster(actor: Actor, raw: unknown) {
  const input = parseInput(createClusterInput, raw);
  if ((input.runtime ?? "local") !== "local")
    throw new ServiceError(400, "invalid_request", "Galera clusters run on the local runtime for now");
  const driver = driverFor(LOCAL);
  if (!driver.galera) throw new ServiceError(400, "invalid_request", "This runtime cannot run Galera clusters");
  const engineVersion = await driver.engineVersion().catch((e: Error) => {
    throw new ServiceError(500, "runtime_unavailable", e.message);
  });
  const mem = input.memoryMb ?? DEFAULT_MEMORY_MB;
  const names = Array.from({ length: input.nodes }, (_, i) => memberName(input.name, i + 1));
  const rootPassword = generatePassword();

  const { clusterId, operationId } = await withLock("placement", async () => {
    if (await db().galeraCluster.findUnique({ where: { ownerId_name: { ownerId: actor.id, name: input.name } } }))
      throw new ServiceError(409, "name_taken", `You already have a Galera cluster named "${input.name}"`);
    const clash = await db().environment.findFirst({ where: { ownerId: actor.id, name: { in: names } } });
    if (clash)
      throw new ServiceError(
        409,
        "name_taken",
        `You already have an environment named "${clash.name}" (a member name)`,
      );
    await assertQuotaAllows(actor, { environments: input.nodes, memoryMb: mem * input.nodes });
    const operationId = await startOperation({
      userId: actor.id,
      action: "galera.create",
      target: input.name,
      params: { name: input.name, nodes: input.nodes, memoryMb: mem },
    });
    try {
      await recordStep(operationId, "allocating");
      const taken = await takenAddresses();
      const placements: Placement[] = [];
      for (let i = 0; i < input.nodes; i++) placements.push(await placeMember(driver, [...taken, ...placements]));
      const maxServerId = (await db().node.aggregate({ _max: { serverId: true } }))._max.serverId ?? 0;
      const clusterId = await db().$transaction(async (tx) => {
        const cluster = await tx.galeraCluster.create({
          data: {
            name: input.name,
            ownerId: actor.id,
            // Galera has no authentication of its own yet: an unguessable name keeps other tenants out of the group.
            // Short: members did not join a cluster named with 78 characters (the bootstrap alone worked).
            clusterName: `mariner-${crypto.randomBytes(10).toString("hex")}`,
            sstUser: SST_USER,
            sstPasswordEnc: encryptSecret(generatePassword()),
          },
        });
        for (const [i, p] of placements.entries())
          await tx.environment.create({
            data: {
              name: names[i],
              ownerId: actor.id,
              runtime: driver.kind,
              engineVersion,
              memoryMb: mem,
              status: "creating",
              galeraClusterId: cluster.id,
              galeraIndex: i + 1,
              nodes: {
                create: {
                  host: p.host,
                  port: p.port,
                  serverId: maxServerId + i + 1,
                  rootPasswordEnc: encryptSecret(rootPassword),
                },
              },
            },
          });
        return cluster.id;
      });
      return { clusterId, operationId };
    } catch (e) {
      await finishOperation(operationId, e);
      throw e;
    }
  });

  const cluster = await db().galeraCluster.findUniqueOrThrow({ where: { id: clusterId } });
  const members = await membersOf(cluster);
  const done = withMemberLocks(
    members.map((m) => m.id),
    () =>
      continueOperation(operationId, async (step) => {
        try {
          await makeCluster(driver, cluster, members, rootPassword, step);
          await db().galeraCluster.update({ where: { id: cluster.id }, data: { status: "running" } });
          return membersOf(cluster);
        } catch (e) {
          await removeAll(driver, members, cluster.id);
          throw e instanceof RuntimeError ? new ServiceError(500, "create_failed", e.message, e.serverLines) : e;
        }
      }),
  );
  done.catch(() => undefined);
  return { operationId, done };
}

type Step = (name: string) => Promise<void>;

async function makeCluster(
  driver: RuntimeDriver,
  cluster: { id: string },
  members: EnvironmentWithNodes[],
  rootPassword: string,
  step: Step,
) {
  const full = await db().galeraCluster.findUniqueOrThrow({ where: { id: cluster.id } });
  const refs: NodeRef[] = [];
  for (const m of members) {
    await step(`creating ${m.name} (${m.nodes[0].host})`);
    const ref = await driver.create(nodeSpecOf(m, m.nodes[0]), rootPassword, () => undefined);
    refs.push(ref);
    await db().node.update({ where: { id: m.nodes[0].id }, data: { baseDir: ref.baseDir, pid: ref.pid } });
    await db().environment.update({ where: { id: m.id }, data: { status: "running" } });
  }
  const first = { ...members[0], status: "running" };
  await step(`creating the state-transfer account on ${first.name}`);
  await asRoot(first, (c) => ensureSstAccount(c, full.sstUser, decryptSecret(full.sstPasswordEnc)));

  await step("writing each member's wsrep settings");
  for (const [i, m] of members.entries()) {
    refs[i] = await driver.stop(refs[i]);
    const content = await writeMemberOptions(full, m, members);
    await db().configRevision.create({
      data: { environmentId: m.id, content, author: "mariner", result: "applied", message: "Generated at creation" },
    });
  }

  await step(`bootstrapping ${first.name} (a new cluster)`);
  refs[0] = await driver.galera!.bootstrap(refs[0]);
  await markStarted(members[0], refs[0]);
  await waitSynced(members[0], refs[0]);
  for (const [i, m] of members.entries()) {
    if (i === 0) continue;
    await step(`joining ${m.name}: state transfer (mariabackup) from the cluster`);
    refs[i] = await driver.galera!.rejoin(refs[i]);
    await markStarted(m, refs[i]);
    await waitSynced(m, refs[i]);
    await step(`${m.name} is Synced`);
  }
}

export async function markStarted(member: EnvironmentWithNodes, ref: NodeRef) {
  await db().node.update({ where: { id: member.nodes[0].id }, data: { pid: ref.pid, startedAt: new Date() } });
}

/** Nothing half-created: every member's server and row, then the cluster's row. */
async function removeAll(driver: RuntimeDriver, members: EnvironmentWithNodes[], clusterId: string) {
  for (const m of members) {
    const node = await db().node.findUnique({ where: { id: m.nodes[0].id } });
    await driver.destroy(nodeRefOf(node ?? m.nodes[0])).catch(() => undefined);
  }
  await retireNodes(
    members[0]?.runtime ?? "local",
    members.map((m) => m.nodes[0].id),
  ).catch(() => undefined);
  await db().environment.deleteMany({ where: { galeraClusterId: clusterId } });
  await db()
    .galeraCluster.delete({ where: { id: clusterId } })
    .catch(() => undefined);
}
