// Proof that a client session was closed by the server — not merely that a statement failed (a dropped table,
// a read-only server or a typo fail too).
import type { Connection } from "mysql2/promise";

/** mysql2's codes for "the server closed (or killed) this connection" and MariaDB's ER_CONNECTION_KILLED. */
const LOST_CODES = new Set(["PROTOCOL_CONNECTION_LOST", "ECONNRESET", "EPIPE", "ER_CONNECTION_KILLED"]);

/**
 * True for the errors a client gets from a connection the server closed: a lost-connection code on the statement
 * that was running, or — for an idle connection, whose loss mysql2 reports as an 'error' event — the fatal
 * "connection is in closed state" on the next statement.
 */
export function isLostConnection(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; fatal?: boolean; message?: string } | null;
  if (!err) return false;
  return (
    LOST_CODES.has(err.code ?? "") ||
    err.errno === 1927 ||
    (err.fatal === true && /connection is in closed state/.test(err.message ?? ""))
  );
}

/** Records the 'error' event mysql2 emits when the server closes an idle connection (the first one). */
export function watchLoss(conn: Connection): () => (Error & { code?: string }) | null {
  let lost: (Error & { code?: string }) | null = null;
  conn.on("error", (e: Error & { code?: string }) => (lost ??= e));
  return () => lost;
}

export async function connectionId(conn: Connection): Promise<number> {
  const [[row]] = (await conn.query("SELECT CONNECTION_ID() AS id")) as unknown as [{ id: number }[]];
  return Number(row.id);
}

/** A mysql2 error's code and errno, for assertion messages. */
export const describeError = (e: unknown) => {
  const err = e as { code?: string; errno?: number; message?: string };
  return `${err?.code ?? "-"}/${err?.errno ?? "-"}: ${err?.message ?? String(e)}`;
};
