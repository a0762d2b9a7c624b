import type { Connection } from "mysql2/promise";

/** Schemas every server has and that belong to the server, not to the tenant's data. */
export const SYSTEM_SCHEMAS = ["mysql", "information_schema", "performance_schema", "sys"] as const;

export const isSystemSchema = (name: string) => (SYSTEM_SCHEMAS as readonly string[]).includes(name.toLowerCase());

/** The tenant's databases on one server (system schemas and `alsoExclude`, e.g. the canary's, left out). */
export async function userDatabases(c: Connection, alsoExclude: string[] = []): Promise<string[]> {
  const [rows] = await c.query(
    "SELECT schema_name AS s FROM information_schema.SCHEMATA WHERE schema_name NOT IN (?) ORDER BY 1",
    [[...SYSTEM_SCHEMAS, ...alsoExclude]],
  );
  return (rows as { s: string }[]).map((r) => r.s);
}
