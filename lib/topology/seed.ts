import { db } from "@/lib/db/client";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { editConfig, getConfig } from "@/lib/environments/config";
import { asRoot } from "@/lib/environments/root";
import {
  createEnvironment,
  deleteEnvironment,
  getEnvironment,
  listEnvironments,
  primaryNode,
  type EnvironmentWithNodes,
} from "@/lib/environments/service";
import { setReplicationTls } from "@/lib/environments/tls";
import { onLoopback } from "@/lib/mariadb/transport";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { copyAll } from "@/lib/mariadb/dump";
import { setServerOptions } from "@/lib/mycnf/parse";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { assertQuotaAllows } from "@/lib/quotas";
import { ensureReplicationAccount } from "./account";
import { serverFacts } from "./discover";
import { semiSyncOptions, semiSyncOptionsUnder } from "./semisync";
import {
  SLAVE_OPTIONS,
  applyOptions,
  placementNear,
  pointAt,
  requireBinlog,
  rootLogin,
  waitReplicating,
} from "./steps";
import { controlSlave, setSlavePosition } from "@/lib/mariadb/replication";
import { chooseDonor, copyMethod, copyPhysically, resolveCopyMethod, type Donor } from "./physical";

// Scale-out: Add slave, Clone and Re-seed — new or rebuilt servers seeded from a consistent snapshot.

// ---- Scale-out: Add slave ----

export const addSlavesInput = z.strictObject({
  count: z.number().int().min(1, "Add at least one slave").max(10, "At most 10 slaves at once"),
  namePrefix: environmentName.optional(),
  /** Default: physical where the runtime allows it. */
  method: copyMethod.optional(),
});

async function freeNames(actor: Actor, prefix: string, count: number): Promise<string[]> {
  const taken = new Set((await listEnvironments(actor)).map((e) => e.name));
  const names: string[] = [];
  for (let i = 1; names.length < count; i++) if (!taken.has(`${prefix}-${i}`)) names.push(`${prefix}-${i}`);
  for (const n of names)
    if (!environmentName.safeParse(n).success)
      throw new ServiceError(400, "invalid_request", `"${n}" is not a valid environment name: choose a shorter prefix`);
  return names;
}

/**
 * Creates N slaves seeded with the master's current data: one consistent snapshot (with its GTID position)
 * loaded into each new server outside its binlog, then replication from that position. All or nothing.
 */
export async function beginAddSlaves(
  actor: Actor,
  masterName: string,
  raw: unknown,
  opts: { replacing?: boolean } = {},
) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(addSlavesInput, raw);
  // Up front, so the whole request is refused with a 4xx; each create checks again under the placement lock.
  await assertQuotaAllows(actor, { environments: input.count, memoryMb: input.count * master.memoryMb });
  await requireBinlog(master, "slaves have nothing to read");
  const names = await freeNames(actor, input.namePrefix ?? `${master.name}-slave`, input.count);
  // New slaves run on their master's runtime: it alone decides whether a physical copy can be made.
  const copy = resolveCopyMethod(input.method, [master]);
  return beginOperation(
    {
      userId: actor.id,
      action: "topology.add-slaves",
      environmentId: master.id,
      target: master.name,
      params: { count: input.count, names, method: copy.method },
    },
    (step) =>
      topologyLock(master.ownerId, async () => {
        const created: string[] = [];
        try {
          await step(`creating ${names.join(", ")}`);
          const envs = await Promise.all(
            names.map(async (name) => {
              const env = await createEnvironment(actor, { name, memoryMb: master.memoryMb, ...placementNear(master) });
              created.push(name);
              return env;
            }),
          );
          await step("configuring them as slaves");
          const options = { ...SLAVE_OPTIONS, ...semiSyncOptionsUnder(master, "slave") };
          // A physical copy restarts each server on the copied data anyway: no restart for the settings first.
          const restart = copy.method !== "physical";
          await Promise.all(names.map((n) => applyOptions(actor, n, options, "Slave settings (Add slave)", restart)));
          if (copy.method === "physical") {
            const donor = await chooseDonor(actor, master);
            await step(`streaming a ${copy.why} of ${describeDonor(donor, master)} into ${names.join(", ")}`);
            const fresh = await Promise.all(names.map((n) => getEnvironment(actor, n)));
            const { bytes, gtid } = await copyPhysically(donor, fresh, true);
            await step(`copied ${megabytes(bytes)} into each slave; replication continues after GTID ${gtid}`);
          } else {
            await step(`streaming a ${copy.why} of ${master.name} into ${names.join(", ")}`);
            const bytes = await copyAll(rootLogin(master), envs.map(rootLogin), true).catch((e) => {
              throw new ServiceError(
                500,
                "snapshot_failed",
                `Copying ${master.name} into the new slaves failed`,
                (e as { lines?: string[] }).lines,
              );
            });
            await step(`loaded ${megabytes(bytes)} into each slave`);
          }
          await step("starting replication");
          const login = await ensureReplicationAccount(await getEnvironment(actor, master.name));
          await Promise.all(envs.map(async (e) => pointAt(await getEnvironment(actor, e.name), login)));
          await Promise.all(envs.map(async (e) => waitReplicating(await getEnvironment(actor, e.name))));
          for (const e of envs) await encryptAcrossMachines(actor, master, e.name, step);
          // A topology that keeps slaves (healing) keeps the new ones too; replacements only restore the count.
          if (master.desiredSlaves > 0)
            await db().$transaction([
              db().environment.updateMany({
                where: { ownerId: master.ownerId, name: { in: names } },
                data: { keptBy: master.id },
              }),
              db().environment.update({
                where: { id: master.id },
                data: { desiredSlaves: { increment: opts.replacing ? 0 : names.length } },
              }),
            ]);
          await step("ready");
          return { slaves: names };
        } catch (e) {
          // Nothing half-made: every slave created by this operation goes away again.
          for (const name of created) await deleteEnvironment(actor, name).catch(() => undefined);
          throw e;
        }
      }),
  );
}

/**
 * Replication that leaves the machine is encrypted from the start: the slave verifies its master's certificate
 * and logs in with a client certificate bound to that master (Encrypt replication, done for the user).
 */
async function encryptAcrossMachines(
  actor: Actor,
  master: EnvironmentWithNodes,
  slaveName: string,
  step: (s: string) => Promise<void>,
) {
  const slave = await getEnvironment(actor, slaveName);
  if (onLoopback(primaryNode(master).host) && onLoopback(primaryNode(slave).host)) return;
  await step(`encrypting replication from ${master.name} to ${slave.name} (they are on different machines)`);
  const tls = await setReplicationTls(actor, slave.name, { enabled: true });
  if (tls.threads !== "Yes/Yes")
    throw new ServiceError(502, "tls_failed", `Encrypted replication to ${slave.name} did not start`, [
      tls.lastIoError ?? tls.threads,
    ]);
}

// ---- Clone ----

export const cloneInput = z.strictObject({
  name: environmentName,
  asSlave: z.boolean().default(false),
  method: copyMethod.optional(),
});

/** The article's "or just clone it": same my.cnf (own wiring and server-id), a consistent copy of the data. */
export async function beginClone(actor: Actor, sourceName: string, raw: unknown) {
  const source = await getEnvironment(actor, sourceName);
  const input = parseInput(cloneInput, raw);
  await assertQuotaAllows(actor, { environments: 1, memoryMb: source.memoryMb });
  const facts = input.asSlave
    ? await requireBinlog(source, "a slave clone has nothing to read")
    : await serverFacts(source);
  const copy = resolveCopyMethod(input.method, [source]);
  return beginOperation(
    { userId: actor.id, action: "topology.clone", environmentId: source.id, target: source.name, params: input },
    (step) =>
      topologyLock(source.ownerId, async () => {
        let created = false;
        try {
          await step(`creating ${input.name}`);
          const clone = await createEnvironment(actor, {
            name: input.name,
            memoryMb: source.memoryMb,
            ...placementNear(source),
          });
          created = true;
          await step("copying the configuration");
          const sourceCnf = (await getConfig(actor, source.name)).content;
          const own = setServerOptions(sourceCnf, {
            "server-id": String(clone.nodes[0].serverId),
            // The source's semi-sync master side is not the clone's: it takes the slave side, or none.
            ...semiSyncOptions(input.asSlave && source.semiSync ? "slave" : "none", source.semiSyncTimeoutMs),
            ...(input.asSlave ? SLAVE_OPTIONS : {}),
          });
          await editConfig(actor, input.name, () => own, { message: `Cloned from ${source.name}` });
          if (copy.method === "physical") {
            // A slave clone may come from one of the source's healthy slaves; a standalone copy is the source's own.
            const donor = input.asSlave ? await chooseDonor(actor, source) : { env: source, isSlave: false };
            await step(`streaming a ${copy.why} of ${describeDonor(donor, source)} into ${input.name}`);
            const target = await getEnvironment(actor, input.name);
            const { bytes } = await copyPhysically(donor, [target], input.asSlave);
            await step(`copied ${megabytes(bytes)}`);
          } else {
            await step(`streaming a ${copy.why} of ${source.name} into ${input.name}`);
            const bytes = await copyAll(
              rootLogin(source),
              [rootLogin(await getEnvironment(actor, input.name))],
              facts.logBin,
            );
            await step(`loaded ${megabytes(bytes)}`);
          }
          if (input.asSlave) {
            await step("starting replication");
            const login = await ensureReplicationAccount(await getEnvironment(actor, source.name));
            const env = await getEnvironment(actor, input.name);
            await pointAt(env, login);
            await waitReplicating(env);
            await encryptAcrossMachines(actor, source, env.name, step);
          } else {
            // A standalone copy forgets where the data came from (a physical copy brings the source's position).
            await asRoot(await getEnvironment(actor, input.name), async (c) => {
              await controlSlave(c, "remove");
              await setSlavePosition(c, "");
            });
          }
          await step("ready");
          return { name: input.name };
        } catch (e) {
          if (created) await deleteEnvironment(actor, input.name).catch(() => undefined);
          throw e;
        }
      }),
  );
}

export const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export function describeDonor(donor: Donor, master: EnvironmentWithNodes) {
  return donor.isSlave ? `${donor.env.name} (a healthy slave of ${master.name})` : master.name;
}
