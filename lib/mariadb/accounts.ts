import type { Connection } from "mysql2/promise";
import { account, DB_COLUMNS, grantDatabase, levelOf, ungrantDatabase, type Held } from "@/lib/accounts/privileges";

export interface AccountInfo {
  user: string;
  host: string;
  locked: boolean;
  requireSsl: boolean;
  /** Global privileges beyond USAGE (SUPER, FILE, REPLICATION SLAVE, …), as SHOW GRANTS names them. */
  global: string[];
  /** Per database: the level held, and the privileges when they are none of the levels. */
  databases: { database: string; level: Held; privileges: string[] }[];
}

const GLOBAL_COLUMNS: Record<string, string> = {
  SUPER: "Super_priv",
  FILE: "File_priv",
  PROCESS: "Process_priv",
  "REPLICATION SLAVE": "Repl_slave_priv",
  "REPLICATION CLIENT": "Repl_client_priv",
  "CREATE USER": "Create_user_priv",
  SHUTDOWN: "Shutdown_priv",
  RELOAD: "Reload_priv",
  // The table privileges a global grant (ON *.*) can hold too, with the same columns in mysql.user.
  ...Object.fromEntries(
    ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "GRANT OPTION"].map((p) => [p, DB_COLUMNS[p]]),
  ),
};

/** Every account of the server (roles left out) with its database-level grants read from the grant tables. */
export async function accountList(c: Connection): Promise<AccountInfo[]> {
  const [users] = await c.query(
    `SELECT u.User AS user, u.Host AS host, u.ssl_type AS ssl_kind,
            IF(JSON_VALUE(g.Priv, '$.account_locked') IN ('true', '1'), 'Y', 'N') AS locked,
            ${Object.values(GLOBAL_COLUMNS)
              .map((col) => `u.${col}`)
              .join(", ")}
       FROM mysql.user u LEFT JOIN mysql.global_priv g ON g.User = u.User AND g.Host = u.Host
      WHERE u.is_role = 'N' ORDER BY u.User, u.Host`,
  );
  const [dbRows] = await c.query(`SELECT User, Host, Db, ${Object.values(DB_COLUMNS).join(", ")} FROM mysql.db`);
  return (users as Record<string, string>[]).map((u) => ({
    user: u.user,
    host: u.host,
    locked: u.locked === "Y",
    requireSsl: u.ssl_kind !== "" && u.ssl_kind !== null,
    global: Object.entries(GLOBAL_COLUMNS)
      .filter(([, col]) => u[col] === "Y")
      .map(([name]) => name),
    databases: (dbRows as Record<string, string>[])
      .filter((r) => r.User === u.user && r.Host === u.host)
      .map((r) => {
        const privileges = Object.entries(DB_COLUMNS)
          .filter(([, col]) => r[col] === "Y")
          .map(([name]) => name);
        return { database: ungrantDatabase(r.Db), level: levelOf(privileges), privileges };
      })
      .sort((a, b) => a.database.localeCompare(b.database)),
  }));
}

export async function createAccount(c: Connection, user: string, host: string, password: string, requireSsl: boolean) {
  await c.query(`CREATE USER ${account(user, host)} IDENTIFIED BY ?${requireSsl ? " REQUIRE SSL" : ""}`, [password]);
}

export async function setAccountPassword(c: Connection, user: string, host: string, password: string) {
  await c.query(`ALTER USER ${account(user, host)} IDENTIFIED BY ?`, [password]);
}

export async function setAccountLocked(c: Connection, user: string, host: string, locked: boolean) {
  await c.query(`ALTER USER ${account(user, host)} ACCOUNT ${locked ? "LOCK" : "UNLOCK"}`);
}

export async function dropAccount(c: Connection, user: string, host: string) {
  await c.query(`DROP USER ${account(user, host)}`);
}

/**
 * A short-lived account that may do anything inside `databases` and nothing outside them (no FILE, GRANT, CREATE
 * USER, other databases or mysql.*), for loading a file someone uploaded. SET USER lets a dump's DEFINER clauses
 * load as written; SUPER only with `storedPrograms` (with binary logging on, MariaDB lets only SUPER create
 * triggers and routines — error 1419). Created with sql_log_bin=0: it exists on this server only, and the slaves
 * apply what it loads as replicated events.
 */
export async function createLoaderAccount(
  c: Connection,
  user: string,
  password: string,
  databases: string[],
  storedPrograms: boolean,
) {
  await c.query("SET SESSION sql_log_bin = 0");
  await c.query(`CREATE USER ${account(user, "%")} IDENTIFIED BY ?`, [password]);
  for (const d of databases)
    await c.query(`GRANT ALL PRIVILEGES ON ${c.escapeId(grantDatabase(d))}.* TO ${account(user, "%")}`);
  await c.query(`GRANT ${storedPrograms ? "SUPER" : "SET USER"} ON *.* TO ${account(user, "%")}`);
}

export async function dropLoaderAccount(c: Connection, user: string) {
  await c.query("SET SESSION sql_log_bin = 0");
  await c.query(`DROP USER IF EXISTS ${account(user, "%")}`);
}
