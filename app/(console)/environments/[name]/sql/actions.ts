"use server";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { databases, runSql } from "@/lib/environments/sql";
import type { SqlResult } from "@/lib/mariadb/sql";

export async function runSqlAction(name: string, statement: string, database?: string): Promise<SqlResult> {
  const actor = await requireActor();
  try {
    return await runSql(actor, name, { statement, database });
  } catch (e) {
    if (e instanceof ServiceError)
      return { kind: "error", errno: null, code: e.code, sqlState: null, message: e.message, ms: 0 };
    throw e;
  }
}

export async function databasesAction(name: string): Promise<string[]> {
  const actor = await requireActor();
  return databases(actor, name).catch(() => []);
}
