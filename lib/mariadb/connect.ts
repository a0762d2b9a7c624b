import mysql from "mysql2/promise";
import { clientTls } from "./transport";

export interface Target {
  host?: string;
  port?: number;
  socketPath?: string;
  user: string;
  password: string;
  database?: string;
}

/** One short-lived connection; always closed, even when `work` throws. */
export async function withConnection<T>(
  target: Target,
  work: (conn: mysql.Connection) => Promise<T>,
  connectTimeoutMs = 5000,
): Promise<T> {
  const conn = await mysql.createConnection({
    ...target,
    ...clientTls(target.host),
    connectTimeout: connectTimeoutMs,
    charset: "utf8mb4_general_ci", // the server default: string comparisons never mix collations
    multipleStatements: false,
    supportBigNumbers: true,
    dateStrings: true,
  });
  try {
    return await work(conn);
  } finally {
    conn.destroy();
  }
}

export function mysqlErrorCode(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}
