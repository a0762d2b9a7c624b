import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, type EnvironmentWithNodes } from "@/lib/environments/service";
import * as dbs from "@/lib/mariadb/databases";
import { allSlaveStatus } from "@/lib/mariadb/replication";
import { runOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { databaseName } from "./names";

export const createDatabaseInput = z.strictObject({
  name: databaseName,
  charset: z.string().max(32).optional(),
  collation: z.string().max(64).optional(),
});
export const dropDatabaseInput = z.strictObject({ name: databaseName, confirm: z.string().max(64) });

/**
 * Whether this server may be changed here: a slave is read-only in the console (what is created on the master
 * reaches every slave; something created on a slave alone makes it differ from its master).
 */
export async function replicationRole(env: EnvironmentWithNodes) {
  // Every connection, named ones too: a multi-source slave may have no default connection.
  const sources = await asRoot(env, allSlaveStatus);
  return sources.length
    ? { isSlave: true, master: sources.map((s) => `${s.status.Master_Host}:${s.status.Master_Port}`).join(", ") }
    : { isSlave: false };
}

export async function assertWritable(env: EnvironmentWithNodes, what: string) {
  const role = await replicationRole(env);
  if (role.isSlave)
    throw new ServiceError(
      409,
      "is_slave",
      `"${env.name}" replicates from ${role.master}: ${what} on its master, and every slave gets it`,
    );
}

export async function listDatabases(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const [items, role] = await Promise.all([asRoot(env, dbs.databaseList), replicationRole(env)]);
  return { items, ...role };
}

export async function collations(actor: Actor, name: string) {
  return asRoot(await getEnvironment(actor, name), dbs.collationList);
}

export async function createDatabase(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(createDatabaseInput, raw);
  await assertWritable(env, "create databases");
  return runOperation(
    { userId: actor.id, action: "database.create", environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        const known = await dbs.collationList(c);
        const charset = input.charset ?? (input.collation ? input.collation.split("_")[0] : "utf8mb4");
        const match = input.collation
          ? known.find((k) => k.collation === input.collation && k.charset === charset)
          : known.find((k) => k.charset === charset && k.isDefault);
        if (!match)
          throw new ServiceError(
            400,
            "invalid_request",
            input.collation
              ? `Collation ${input.collation} does not belong to character set ${charset} on this server`
              : `Character set ${charset} is not known to this server`,
          );
        if (await dbs.databaseExists(c, input.name))
          throw new ServiceError(409, "exists", `Database "${input.name}" already exists`);
        await dbs.createDatabase(c, input.name, match.charset, match.collation);
        return { name: input.name, charset: match.charset, collation: match.collation };
      }),
  );
}

export async function dropDatabase(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(dropDatabaseInput, raw);
  if (input.confirm !== input.name)
    throw new ServiceError(400, "invalid_request", `Type the database's name (${input.name}) to drop it`);
  await assertWritable(env, "drop databases");
  await runOperation(
    { userId: actor.id, action: "database.drop", environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        if (!(await dbs.databaseExists(c, input.name)))
          throw new ServiceError(404, "not_found", `Database "${input.name}" not found`);
        await dbs.dropDatabase(c, input.name);
      }),
  );
}

const SIZE_KEEP_MS = 7 * 24 * 3600_000;

/** One size sample per tenant database of a running server (from the monitor, every few minutes). */
export async function sampleDatabaseSizes(env: EnvironmentWithNodes) {
  const items = await asRoot(env, dbs.databaseList);
  const data = items
    .filter((d) => !d.system && !d.name.startsWith("mariner_"))
    .map((d) => ({ environmentId: env.id, database: d.name, bytes: d.bytes }));
  if (data.length) await db().databaseSizeSample.createMany({ data });
  await db().databaseSizeSample.deleteMany({ where: { at: { lt: new Date(Date.now() - SIZE_KEEP_MS) } } });
}

/** Size over time per database (the last 7 days), oldest first. */
export async function sizeHistory(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const rows = await db().databaseSizeSample.findMany({ where: { environmentId: env.id }, orderBy: { at: "asc" } });
  const out: Record<string, { t: number; bytes: number }[]> = {};
  for (const r of rows) (out[r.database] ??= []).push({ t: r.at.getTime(), bytes: Number(r.bytes) });
  return out;
}
