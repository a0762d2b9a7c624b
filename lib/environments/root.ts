import mysql, { type Connection } from "mysql2/promise";
import { ServiceError } from "@/lib/errors";
import { withConnection } from "@/lib/mariadb/connect";
import { clientTls } from "@/lib/mariadb/transport";
import { primaryNode, type EnvironmentWithNodes } from "./service";
import { nodeRefOf } from "./spec";

/** A root session on the environment's server; a clear 409 when it is not running. */
export async function asRoot<T>(env: EnvironmentWithNodes, work: (c: Connection) => Promise<T>): Promise<T> {
  if (env.status !== "running")
    throw new ServiceError(409, "not_running", `Environment "${env.name}" is ${env.status}; start it first`);
  const ref = nodeRefOf(primaryNode(env));
  try {
    return await withConnection({ host: ref.host, port: ref.port, user: "root", password: ref.rootPassword }, work);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    const err = e as { errno?: number; message: string };
    if (err.errno && err.errno < 2000) throw new ServiceError(422, "sql_error", err.message);
    throw new ServiceError(502, "unreachable", `Could not reach ${env.name}: ${err.message}`);
  }
}

/** A root connection the caller closes (for work spanning several servers at once). */
export async function openRoot(env: EnvironmentWithNodes) {
  const ref = nodeRefOf(primaryNode(env));
  return mysql.createConnection({
    ...clientTls(ref.host),
    host: ref.host,
    port: ref.port,
    user: "root",
    password: ref.rootPassword,
    connectTimeout: 3000,
    charset: "utf8mb4_general_ci",
  });
}
