import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { withConnection } from "@/lib/mariadb/connect";
import { slaveStatus } from "@/lib/mariadb/replication";
import { listDatabases, runStatement } from "@/lib/mariadb/sql";
import { parseInput } from "@/lib/validation";
import { asRoot } from "./root";
import { getEnvironment, primaryNode } from "./service";
import { nodeRefOf } from "./spec";

export const sqlInput = z.strictObject({
  statement: z.string().min(1, "Statement is empty").max(100_000, "Statement is longer than 100 kB"),
  database: z.string().max(64).optional(),
});

/** The one place user SQL runs: on the actor's own environment, one statement, the server's error verbatim. */
export async function runSql(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(sqlInput, raw);
  const ref = nodeRefOf(primaryNode(env));
  if (env.status !== "running")
    throw new ServiceError(409, "not_running", `Environment "${env.name}" is ${env.status}; start it first`);
  if (input.database !== undefined) {
    const dbs = await asRoot(env, listDatabases);
    if (!dbs.includes(input.database))
      throw new ServiceError(400, "invalid_request", `Database "${input.database}" does not exist`);
  }
  return withConnection(
    { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword, database: input.database },
    (c) => runStatement(c, input.statement),
  );
}

export async function databases(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return asRoot(env, listDatabases);
}

export const readOnlyHint = async (actor: Actor, name: string) => {
  const env = await getEnvironment(actor, name);
  return asRoot(env, async (c) => {
    const [[row]] = (await c.query("SELECT @@read_only AS ro, @@secure_file_priv AS files")) as unknown as [
      { ro: number; files: string | null }[],
    ];
    return { readOnly: Number(row.ro) === 1, isSlave: (await slaveStatus(c)) !== null, filesDir: row.files };
  });
};
