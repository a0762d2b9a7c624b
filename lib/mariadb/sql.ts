import type { Connection, FieldPacket } from "mysql2/promise";

export const MAX_ROWS = 1000;

export type SqlResult =
  | { kind: "rows"; columns: string[]; rows: unknown[][]; truncated: boolean; ms: number }
  | { kind: "ok"; affectedRows: number; insertId: number; warnings: number; info: string; ms: number }
  | { kind: "error"; errno: number | null; code: string | null; sqlState: string | null; message: string; ms: number };

const cell = (v: unknown) => (Buffer.isBuffer(v) ? `0x${v.toString("hex")}` : typeof v === "bigint" ? v.toString() : v);

/** Runs one user statement (multi-statements are off), returning rows or the server's error verbatim. */
export async function runStatement(conn: Connection, statement: string, timeoutMs = 30_000): Promise<SqlResult> {
  const t0 = performance.now();
  try {
    const [result, fields] = await conn.query({ sql: statement, timeout: timeoutMs, rowsAsArray: true });
    const ms = Math.round(performance.now() - t0);
    if (Array.isArray(result)) {
      const rowsOut = (result as unknown[][]).slice(0, MAX_ROWS).map((r) => r.map(cell));
      return {
        kind: "rows",
        columns: ((fields ?? []) as FieldPacket[]).map((f) => f.name),
        rows: rowsOut,
        truncated: result.length > MAX_ROWS,
        ms,
      };
    }
    const r = result as { affectedRows: number; insertId: number; warningStatus: number; info: string };
    return {
      kind: "ok",
      affectedRows: r.affectedRows,
      insertId: r.insertId,
      warnings: r.warningStatus,
      info: r.info ?? "",
      ms,
    };
  } catch (e) {
    const err = e as { errno?: number; code?: string; sqlState?: string; message: string };
    return {
      kind: "error",
      errno: err.errno ?? null,
      code: err.code ?? null,
      sqlState: err.sqlState ?? null,
      message: err.message,
      ms: Math.round(performance.now() - t0),
    };
  }
}

export async function listDatabases(conn: Connection): Promise<string[]> {
  const [r] = await conn.query("SHOW DATABASES");
  return (r as { Database: string }[]).map((d) => d.Database);
}
