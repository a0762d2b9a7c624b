import type { Connection } from "mysql2/promise";

/** Client sessions: everything but our own connection, replication threads (both directions) and daemons. */
const CLIENT_SESSIONS =
  "SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND NOT LIKE 'Binlog Dump%' AND COMMAND NOT IN ('Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker') AND USER NOT IN ('system user', 'event_scheduler')";

export async function clientSessions(conn: Connection): Promise<{ id: number; user: string }[]> {
  const [rows] = await conn.query(CLIENT_SESSIONS);
  return (rows as { id: number; user: string }[]).map((r) => ({ id: Number(r.id), user: String(r.user) }));
}

/**
 * Fencing: closes every client session, so a statement queued behind a read lock (from an account that
 * bypasses read_only) is killed instead of landing on a server that must not take writes. Clients reconnect —
 * through the writer endpoint, to the current master.
 */
export async function killClientSessions(conn: Connection): Promise<number> {
  const sessions = await clientSessions(conn);
  for (const { id } of sessions) await conn.query("KILL CONNECTION ?", [id]).catch(() => undefined); // already gone
  return sessions.length;
}
