import type Database from "better-sqlite3";

/** One SQL literal, as SQLite's own `.dump` writes it. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Buffer.isBuffer(value)) return `X'${value.toString("hex")}'`;
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * The whole store as SQL text (schema, then every row in rowid order): what the upgrade fixtures are kept as, and
 * how tests compare a store before and after something that must leave it untouched.
 */
export function dumpStore(db: Database.Database): string {
  const objects = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid`,
    )
    .all() as { type: string; name: string; sql: string }[];
  const lines = ["BEGIN;"];
  for (const o of objects) lines.push(`${o.sql};`);
  for (const o of objects.filter((x) => x.type === "table")) {
    const rows = db.prepare(`SELECT * FROM "${o.name}" ORDER BY rowid`).raw().safeIntegers().all() as unknown[][];
    for (const row of rows) lines.push(`INSERT INTO "${o.name}" VALUES(${row.map(literal).join(",")});`);
  }
  lines.push("COMMIT;");
  return lines.join("\n") + "\n";
}
