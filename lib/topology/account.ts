import type { Connection } from "mysql2/promise";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { decryptSecret, encryptSecret, generatePassword } from "@/lib/secrets";

export const MANAGED_REPL_USER = "mariner_repl";

export interface ReplicationLogin {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * The console's own replication account on a server others will replicate from: created (or its password
 * re-asserted) idempotently, outside the binary log so no slave ever sees an errant GTID for it.
 */
export async function ensureReplicationAccount(parent: EnvironmentWithNodes): Promise<ReplicationLogin> {
  let account = await db().replicationAccount.findUnique({ where: { environmentId: parent.id } });
  if (!account) {
    account = await db().replicationAccount.create({
      data: { environmentId: parent.id, user: MANAGED_REPL_USER, passwordEnc: encryptSecret(generatePassword()) },
    });
  }
  const password = decryptSecret(account.passwordEnc);
  await asRoot(parent, (c) => createAccount(c, account.user, password));
  const node = primaryNode(parent);
  return { host: node.host, port: node.port, user: account.user, password };
}

async function createAccount(c: Connection, user: string, password: string) {
  await c.query("SET SESSION sql_log_bin = 0");
  await c.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [user, password]);
  await c.query("ALTER USER ?@'%' IDENTIFIED BY ?", [user, password]);
  await c.query("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@'%'", [user]);
}
