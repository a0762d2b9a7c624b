import type { Connection } from "mysql2/promise";
import { z } from "zod";

/**
 * Every replication statement Mariner sends. Values travel as placeholders (mysql2 escapes them as string
 * literals); there is no identifier built from user text. User names, hosts and passwords are also validated
 * up front so a hostile string is refused with a clear message instead of reaching the server.
 */

export const replicationUserName = z
  .string({ error: "User name is required" })
  .min(1, "User name is required")
  .max(80, "User name must be at most 80 characters")
  .refine((s) => !/[\0\n\r]/.test(s), "User name must not contain NUL or line breaks");

export const replicationPassword = z
  .string({ error: "Password is required" })
  .min(1, "Password is required")
  .max(200, "Password must be at most 200 characters")
  .refine((s) => !/[\0\n\r]/.test(s), "Password must not contain NUL or line breaks");

export const hostPattern = z
  .string()
  .min(1, "Host pattern is required")
  .max(255, "Host pattern is too long")
  .regex(
    /^[A-Za-z0-9%_:][A-Za-z0-9.%_:-]*(\/[0-9.]+)?$/,
    "Host pattern must be a host name, an address or a pattern like %, 127.0.0.% or 10.0.0.0/255.0.0.0",
  )
  .refine((s) => !s.includes(".."), "Host pattern must not contain ..");

export const masterHost = z
  .string()
  .min(1, "Master host is required")
  .max(255)
  .regex(/^[A-Za-z0-9.:-]+$/, "Master host must be an address or host name");

/** A multi-source connection name ('' is the default connection). Sent as a string literal placeholder. */
export const connectionName = z
  .string()
  .max(64, "Connection name must be at most 64 characters")
  .regex(/^[A-Za-z0-9_-]*$/, "Connection name may contain letters, digits, _ and - only");

export const binlogFile = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9._-]+$/, "Binlog file must look like mysql-bin.000001");

type Row = Record<string, unknown>;

async function rows(conn: Connection, sql: string, values?: unknown[]): Promise<Row[]> {
  const [r] = await conn.query(sql, values);
  return r as Row[];
}

export interface MasterStatus {
  serverId: number;
  logBin: boolean;
  binlogFormat: string;
  file: string | null;
  position: number | null;
  gtidBinlogPos: string;
  gtidCurrentPos: string;
  readOnly: boolean;
  connectedSlaves: { id: number; user: string; host: string; state: string; time: number }[];
}

export async function masterStatus(conn: Connection): Promise<MasterStatus> {
  const [[vars], status, dumpers] = await Promise.all([
    rows(
      conn,
      "SELECT @@server_id AS serverId, @@log_bin AS logBin, @@binlog_format AS binlogFormat, @@gtid_binlog_pos AS gtidBinlogPos, @@gtid_current_pos AS gtidCurrentPos, @@read_only AS readOnly",
    ),
    rows(conn, "SHOW MASTER STATUS"),
    rows(
      conn,
      "SELECT ID AS id, USER AS user, HOST AS host, STATE AS state, TIME AS time FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'",
    ),
  ]);
  return {
    serverId: Number(vars.serverId),
    logBin: Number(vars.logBin) === 1,
    binlogFormat: String(vars.binlogFormat),
    file: (status[0]?.File as string) ?? null,
    position: status[0] ? Number(status[0].Position) : null,
    gtidBinlogPos: String(vars.gtidBinlogPos ?? ""),
    gtidCurrentPos: String(vars.gtidCurrentPos ?? ""),
    readOnly: Number(vars.readOnly) === 1,
    connectedSlaves: dumpers.map((d) => ({
      id: Number(d.id),
      user: String(d.user),
      host: String(d.host),
      state: String(d.state ?? ""),
      time: Number(d.time),
    })),
  };
}

export async function createReplicationUser(
  conn: Connection,
  user: string,
  password: string,
  host = "%",
): Promise<void> {
  const existing = await rows(conn, "SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?", [user, host]);
  if (existing.length)
    throw Object.assign(new Error(`User '${user}'@'${host}' already exists`), { code: "USER_EXISTS" });
  await conn.query("CREATE USER ?@? IDENTIFIED BY ?", [user, host, password]);
  await conn.query("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@?", [user, host]);
}

export async function listReplicationUsers(conn: Connection): Promise<{ user: string; host: string; ssl: string }[]> {
  const r = await rows(
    conn,
    "SELECT User AS user, Host AS host, ssl_type AS sslType FROM mysql.user WHERE Repl_slave_priv = 'Y' AND User NOT IN ('root', 'mariadb.sys') ORDER BY User, Host",
  );
  return r.map((u) => ({ user: String(u.user), host: String(u.host), ssl: String(u.sslType ?? "") }));
}

export async function dropReplicationUser(conn: Connection, user: string, host: string): Promise<boolean> {
  const users = await listReplicationUsers(conn);
  if (!users.some((u) => u.user === user && u.host === host)) return false;
  await conn.query("DROP USER ?@?", [user, host]);
  return true;
}

/**
 * Anonymous users match before 'repl'@'%' for local clients: the classic 1045 with the right password. Bounded:
 * the server's root (a tenant) can lock mysql.global_priv, and the monitor must not wait a day behind it.
 */
export async function anonymousUsers(conn: Connection): Promise<string[]> {
  const r = await rows(
    conn,
    "SET STATEMENT max_statement_time = 2, lock_wait_timeout = 2 FOR SELECT Host AS host FROM mysql.user WHERE User = ''",
  );
  return r.map((u) => String(u.host));
}

export interface MasterSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  mode: "gtid" | "binlog";
  logFile?: string;
  logPos?: number;
}

/**
 * CHANGE MASTER TO … (the slave must be stopped first; we stop it). Retry every second and a heartbeat every
 * second, so a dead or unreachable master shows on the slave in seconds, not after a minute.
 */
export async function changeMaster(conn: Connection, s: MasterSettings, connection = ""): Promise<void> {
  if (!connection || (await slaveStatus(conn, connection))) await conn.query("STOP SLAVE ?", [connection]);
  const parts = [
    "MASTER_HOST = ?",
    "MASTER_PORT = ?",
    "MASTER_USER = ?",
    "MASTER_PASSWORD = ?",
    "MASTER_CONNECT_RETRY = 1",
    "MASTER_HEARTBEAT_PERIOD = 1",
  ];
  const values: unknown[] = [s.host, s.port, s.user, s.password];
  if (s.mode === "gtid") parts.push("MASTER_USE_GTID = slave_pos");
  else {
    parts.push("MASTER_USE_GTID = no", "MASTER_LOG_FILE = ?", "MASTER_LOG_POS = ?");
    values.push(s.logFile, s.logPos);
  }
  // Only the fixed fragments above are joined; every value goes through a placeholder.
  const statement = "CHANGE MASTER ? TO " + parts.join(", ");
  await conn.query(statement, [connection, ...values]);
}

/** New replication credentials for one connection, keeping its host, port and position (GTID or file). */
export async function changeCredentials(
  conn: Connection,
  user: string,
  password: string,
  connection = "",
): Promise<void> {
  await conn.query("STOP SLAVE ?", [connection]);
  await conn.query("CHANGE MASTER ? TO MASTER_USER = ?, MASTER_PASSWORD = ?", [connection, user, password]);
}

export const CONTROL_ACTIONS = [
  "full-start",
  "full-stop",
  "start-io",
  "stop-io",
  "start-sql",
  "stop-sql",
  "reset",
  "skip-errors",
  "remove",
] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/**
 * phpMyAdmin's "Control slave" menu, for one connection ('' = the default one; named ones are multi-source).
 * "remove" forgets a connection entirely (RESET SLAVE 'name' ALL).
 */
export async function controlSlave(conn: Connection, action: ControlAction, count = 1, connection = ""): Promise<void> {
  const c = [connection];
  switch (action) {
    case "full-start":
      return void (await conn.query("START SLAVE ?", c));
    case "full-stop":
      return void (await conn.query("STOP SLAVE ?", c));
    case "start-io":
      return void (await conn.query("START SLAVE ? IO_THREAD", c));
    case "stop-io":
      return void (await conn.query("STOP SLAVE ? IO_THREAD", c));
    case "start-sql":
      return void (await conn.query("START SLAVE ? SQL_THREAD", c));
    case "stop-sql":
      return void (await conn.query("STOP SLAVE ? SQL_THREAD", c));
    case "reset":
      await conn.query("STOP SLAVE ?", c);
      return void (await conn.query("RESET SLAVE ?", c));
    case "remove":
      await conn.query("STOP SLAVE ?", c);
      return void (await conn.query("RESET SLAVE ? ALL", c));
    case "skip-errors":
      // The counter is read when the SQL thread starts, and belongs to the session's default_master_connection.
      await conn.query("STOP SLAVE ? SQL_THREAD", c);
      await conn.query("SET @@default_master_connection = ?", c);
      await conn.query("SET GLOBAL sql_slave_skip_counter = ?", [count]);
      await conn.query("SET @@default_master_connection = ''");
      return void (await conn.query("START SLAVE ? SQL_THREAD", c));
  }
}

/** Waits until the SQL thread has applied `gtid` (what the IO thread received); false when `seconds` pass first. */
export async function waitForGtid(conn: Connection, gtid: string, seconds: number): Promise<boolean> {
  const [r] = await rows(conn, "SELECT MASTER_GTID_WAIT(?, ?) AS waited", [gtid, seconds]);
  return Number(r.waited) === 0;
}

export async function setReadOnly(conn: Connection, readOnly: boolean): Promise<void> {
  await conn.query(readOnly ? "SET GLOBAL read_only = 1" : "SET GLOBAL read_only = 0");
}

/** Forgets the binary log (a master that must start its history afresh, e.g. with a new GTID domain). */
export async function resetBinaryLog(conn: Connection): Promise<void> {
  await conn.query("RESET MASTER");
}

/** Replication over TLS with these files (CA, client certificate and key, server certificate verified), or off. */
export async function changeMasterTls(
  conn: Connection,
  files: { ca: string; cert: string; key: string } | null,
): Promise<void> {
  if (files) {
    await conn.query(
      "CHANGE MASTER TO MASTER_SSL = 1, MASTER_SSL_CA = ?, MASTER_SSL_CERT = ?, MASTER_SSL_KEY = ?, MASTER_SSL_VERIFY_SERVER_CERT = 1",
      [files.ca, files.cert, files.key],
    );
  } else {
    await conn.query(
      "CHANGE MASTER TO MASTER_SSL = 0, MASTER_SSL_CERT = '', MASTER_SSL_KEY = '', MASTER_SSL_VERIFY_SERVER_CERT = 0",
    );
  }
}

export type SlaveStatusRow = Record<string, string | number | null>;

/** "There is no master connection 'x'". */
const ER_MASTER_INFO = 1617;

const normalize = (row: Row): SlaveStatusRow => {
  const out: SlaveStatusRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || typeof v === "number" ? v : String(v);
  return out;
};

/** Every column MariaDB returns (54 in 10.11) for one connection, or null when it is not configured. */
export async function slaveStatus(conn: Connection, connection = ""): Promise<SlaveStatusRow | null> {
  const r = await rows(conn, "SHOW SLAVE ? STATUS", [connection]).catch((e) => {
    if ((e as { errno?: number }).errno === ER_MASTER_INFO) return [];
    throw e;
  });
  return r[0] ? normalize(r[0]) : null;
}

export interface SlaveConnection {
  /** '' for the default connection. */
  name: string;
  status: SlaveStatusRow;
}

/** SHOW ALL SLAVES STATUS: the default connection first, then the named (multi-source) ones by name. */
export async function allSlaveStatus(conn: Connection): Promise<SlaveConnection[]> {
  const r = await rows(conn, "SHOW ALL SLAVES STATUS");
  return r
    .map((row) => ({ name: String(row.Connection_name ?? ""), status: normalize(row) }))
    .sort((a, b) => (a.name === "" ? -1 : b.name === "" ? 1 : a.name.localeCompare(b.name)));
}

/** GTID domains a server writes now (domainId) or has written into its binary log (written). */
export async function gtidDomains(
  conn: Connection,
): Promise<{ domainId: number; written: number[]; domains: number[] }> {
  const [row] = await rows(conn, "SELECT @@GLOBAL.gtid_domain_id AS d, @@gtid_binlog_pos AS b");
  const written = String(row.b ?? "")
    .split(",")
    .filter(Boolean)
    .map((g) => Number(g.split("-")[0]));
  return { domainId: Number(row.d), written, domains: [...new Set([Number(row.d), ...written])] };
}

/** Where a server seeded from a physical copy starts reading its master's stream: the position the copy recorded. */
export async function setSlavePosition(conn: Connection, gtid: string): Promise<void> {
  await conn.query("SET GLOBAL gtid_slave_pos = ?", [gtid]);
}
