import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { editConfig } from "@/lib/environments/config";
import { getEnvironment } from "@/lib/environments/service";
import { setServerOptionList } from "@/lib/mycnf/parse";
import { parseInput } from "@/lib/validation";

// Spreading the load: per-slave replication filters, written to my.cnf.

// ---- Spreading the load: filters ----

const dbName = z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, "Database names may contain letters, digits, _ and $");
const tablePattern = z
  .string()
  .regex(
    /^[A-Za-z0-9_$%]{1,64}\.[A-Za-z0-9_$%]{1,64}$/,
    "Table patterns look like db.table, with % wildcards (sales.%)",
  );
export const filtersInput = z.strictObject({
  doDb: z.array(dbName).max(50).default([]),
  ignoreDb: z.array(dbName).max(50).default([]),
  wildDoTable: z.array(tablePattern).max(50).default([]),
  wildIgnoreTable: z.array(tablePattern).max(50).default([]),
  /** The my.cnf revision the filters were read with (GET …/config → revision): a newer my.cnf refuses them. */
  baseRevision: z.string().max(64).optional(),
});

/**
 * Per-slave replication filters, written to my.cnf (one line per value) and applied with a validated restart.
 * Database filters become `replicate-wild-do-table = db.%`: replicate-do-db judges statement-logged events by
 * their default database (USE …), so it silently drops `INSERT INTO sales.orders` sent without one.
 */
export async function setFilters(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const f = parseInput(filtersInput, raw);
  const { baseRevision, ...filters } = f;
  const write = (content: string) => {
    content = setServerOptionList(content, "replicate-do-db", []);
    content = setServerOptionList(content, "replicate-ignore-db", []);
    content = setServerOptionList(content, "replicate-wild-do-table", [
      ...f.doDb.map((d) => `${d}.%`),
      ...f.wildDoTable,
    ]);
    return setServerOptionList(content, "replicate-wild-ignore-table", [
      ...f.ignoreDb.map((d) => `${d}.%`),
      ...f.wildIgnoreTable,
    ]);
  };
  // The filter form shows what my.cnf held at a revision: a newer my.cnf (someone's save) refuses it (409).
  await editConfig(actor, env.name, write, { message: "Replication filters", baseRevision });
  return filters;
}
