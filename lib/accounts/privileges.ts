// Database privileges as four readable levels, and the exact statements that give an account one of them.
// Pure and browser-safe: the same text is shown in the form before it runs and is what runs.

/** A string literal as MariaDB reads it with the default sql_mode (backslash escapes on). */
export const escape = (s: string) =>
  `'${s.replace(/[\0\n\r\x1a'\\]/g, (ch) => ({ "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z" })[ch] ?? `\\${ch}`)}'`;
export const escapeId = (s: string) => `\`${s.replace(/`/g, "``")}\``;

export const LEVELS = ["read-only", "read-write", "ddl", "all"] as const;
export type Level = (typeof LEVELS)[number];
/** What an account holds on a database: a level, nothing, or a set that is none of the levels. */
export type Held = Level | "none" | "custom";

const READ_ONLY = ["SELECT", "SHOW VIEW"];
const READ_WRITE = [...READ_ONLY, "INSERT", "UPDATE", "DELETE", "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE"];
const DDL = [
  ...READ_WRITE,
  ...["CREATE", "ALTER", "DROP", "INDEX", "REFERENCES", "CREATE VIEW", "CREATE ROUTINE", "ALTER ROUTINE"],
  ...["TRIGGER", "EVENT"],
];
/** ALL PRIVILEGES on one database: DDL plus DELETE HISTORY; never GRANT OPTION, never a global privilege. */
const ALL = [...DDL, "DELETE HISTORY"];

export const PRIVILEGES: Record<Level, string[]> = {
  "read-only": READ_ONLY,
  "read-write": READ_WRITE,
  ddl: DDL,
  all: ALL,
};

export const LEVEL_LABELS: Record<Held, string> = {
  none: "No access",
  "read-only": "Read-only",
  "read-write": "Read-write",
  ddl: "Read-write + DDL",
  all: "All",
  custom: "Custom",
};

/** mysql.db column of each privilege (GRANT's name → the grant table's column). */
export const DB_COLUMNS: Record<string, string> = {
  SELECT: "Select_priv",
  INSERT: "Insert_priv",
  UPDATE: "Update_priv",
  DELETE: "Delete_priv",
  CREATE: "Create_priv",
  DROP: "Drop_priv",
  "GRANT OPTION": "Grant_priv",
  REFERENCES: "References_priv",
  INDEX: "Index_priv",
  ALTER: "Alter_priv",
  "CREATE TEMPORARY TABLES": "Create_tmp_table_priv",
  "LOCK TABLES": "Lock_tables_priv",
  "CREATE VIEW": "Create_view_priv",
  "SHOW VIEW": "Show_view_priv",
  "CREATE ROUTINE": "Create_routine_priv",
  "ALTER ROUTINE": "Alter_routine_priv",
  EXECUTE: "Execute_priv",
  EVENT: "Event_priv",
  TRIGGER: "Trigger_priv",
  "DELETE HISTORY": "Delete_history_priv",
};

/** The level a set of held privileges is exactly (an extra or a missing one makes it "custom"). */
export function levelOf(held: string[]): Held {
  if (!held.length) return "none";
  const set = new Set(held);
  for (const level of LEVELS) {
    const want = PRIVILEGES[level];
    if (want.length === set.size && want.every((p) => set.has(p))) return level;
  }
  return "custom";
}

/** `_` and `%` are wildcards in a database grant: escaped, the grant is for this database only. */
export const grantDatabase = (db: string) => db.replace(/([_%\\])/g, "\\$1");
export const ungrantDatabase = (db: string) => db.replace(/\\([_%\\])/g, "$1");

export const account = (user: string, host: string) => `${escape(user)}@${escape(host)}`;

/**
 * Statements that move `user@host` from the privileges it holds on `db` to `wanted` (none when it is there).
 * GRANT OPTION is not part of ALL PRIVILEGES: it is revoked by name, or a lowered account could still pass rights
 * on; each REVOKE only when there is something to revoke (revoking from no grant is an error).
 */
export function grantPlan(user: string, host: string, db: string, held: string[], wanted: Level | "none"): string[] {
  if (levelOf(held) === wanted) return [];
  const on = `${escapeId(grantDatabase(db))}.*`;
  const who = account(user, host);
  const out: string[] = [];
  if (held.includes("GRANT OPTION")) out.push(`REVOKE GRANT OPTION ON ${on} FROM ${who}`);
  if (held.some((p) => p !== "GRANT OPTION")) out.push(`REVOKE ALL PRIVILEGES ON ${on} FROM ${who}`);
  if (wanted === "all") out.push(`GRANT ALL PRIVILEGES ON ${on} TO ${who}`);
  else if (wanted !== "none") out.push(`GRANT ${PRIVILEGES[wanted].join(", ")} ON ${on} TO ${who}`);
  return out;
}

/** CREATE USER with the password left out of what is shown (the shown text has '•••' where it goes). */
export function createUserSql(user: string, host: string, password: string | null, requireSsl: boolean) {
  return `CREATE USER ${account(user, host)} IDENTIFIED BY ${password === null ? "'•••'" : escape(password)}${requireSsl ? " REQUIRE SSL" : ""}`;
}
