import type { Connection } from "mysql2/promise";
import { SYSTEM_SCHEMAS } from "./schemas";

export interface DatabaseInfo {
  name: string;
  charset: string;
  collation: string;
  tables: number;
  bytes: number;
  system: boolean;
}

/** Every schema of one server with its size (data + indexes, as InnoDB reports it) and table count. */
export async function databaseList(c: Connection): Promise<DatabaseInfo[]> {
  const [rows] = await c.query(
    `SELECT s.schema_name AS name, s.default_character_set_name AS charset, s.default_collation_name AS collation,
            COUNT(t.table_name) AS tables, COALESCE(SUM(t.data_length + t.index_length), 0) AS bytes
       FROM information_schema.SCHEMATA s
       LEFT JOIN information_schema.TABLES t ON t.table_schema = s.schema_name
      GROUP BY s.schema_name, s.default_character_set_name, s.default_collation_name
      ORDER BY s.schema_name`,
  );
  return (rows as Record<string, string | number>[]).map((r) => ({
    name: String(r.name),
    charset: String(r.charset),
    collation: String(r.collation),
    tables: Number(r.tables),
    bytes: Number(r.bytes),
    system: (SYSTEM_SCHEMAS as readonly string[]).includes(String(r.name).toLowerCase()),
  }));
}

/** Character sets and their collations as this server knows them (what CREATE DATABASE will accept). */
export async function collationList(
  c: Connection,
): Promise<{ charset: string; collation: string; isDefault: boolean }[]> {
  const [rows] = await c.query(
    "SELECT character_set_name AS charset, collation_name AS collation, is_default AS d FROM information_schema.COLLATIONS ORDER BY 1, 2",
  );
  return (rows as { charset: string; collation: string; d: string }[]).map((r) => ({
    charset: r.charset,
    collation: r.collation,
    isDefault: r.d === "Yes",
  }));
}

export async function databaseExists(c: Connection, name: string): Promise<boolean> {
  const [rows] = await c.query("SELECT 1 FROM information_schema.SCHEMATA WHERE schema_name = ?", [name]);
  return (rows as unknown[]).length > 0;
}

/** The statement that creates a database; shown to the user before it runs. */
/** CREATE DATABASE with the given character set and collation, or the server's defaults. */
export async function createDatabase(c: Connection, name: string, charset?: string, collation?: string) {
  const options = charset && collation ? ` CHARACTER SET ${c.escapeId(charset)} COLLATE ${c.escapeId(collation)}` : "";
  await c.query(`CREATE DATABASE ${c.escapeId(name)}${options}`);
}

export async function dropDatabase(c: Connection, name: string) {
  await c.query(`DROP DATABASE ${c.escapeId(name)}`);
}

/** The objects a database holds (tables, views, routines, events): zero means an import may go into it. */
export async function objectCount(c: Connection, name: string): Promise<number> {
  const [[row]] = (await c.query(
    `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE table_schema = ?)
          + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE routine_schema = ?)
          + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE event_schema = ?) AS n`,
    [name, name, name],
  )) as unknown as [{ n: number }[]];
  return Number(row.n);
}

/** Table-level checksums of one database, for comparing copies (CHECKSUM TABLE … EXTENDED). */
export async function databaseChecksums(c: Connection, name: string): Promise<Record<string, string>> {
  const [tables] = await c.query(
    "SELECT table_name AS t FROM information_schema.TABLES WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1",
    [name],
  );
  const out: Record<string, string> = {};
  for (const { t } of tables as { t: string }[]) {
    const [[row]] = (await c.query(`CHECKSUM TABLE ${c.escapeId(name)}.${c.escapeId(t)} EXTENDED`)) as unknown as [
      { Checksum: string | number | null }[],
    ];
    out[t] = String(row.Checksum);
  }
  return out;
}
