import type { Actor } from "@/lib/auth/actor";
import { explainSlave } from "@/lib/mariadb/health";
import * as repl from "@/lib/mariadb/replication";
import { asRoot } from "../root";
import { getEnvironment, listEnvironments, primaryNode, type EnvironmentWithNodes } from "../service";
// What the Replication tab shows, and which environments replicate from one.

export async function replicationStatus(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return asRoot(env, async (c) => {
    const [master, slave, all, users, anonymous] = await Promise.all([
      repl.masterStatus(c),
      repl.slaveStatus(c),
      repl.allSlaveStatus(c),
      repl.listReplicationUsers(c),
      repl.anonymousUsers(c),
    ]);
    // Named connections are multi-source: each is a master of its own with its own threads and status row.
    const connections = all
      .filter((a) => a.name !== "")
      .map((a) => ({ name: a.name, status: a.status, health: explainSlave(a.status) }));
    return {
      master,
      slave,
      health: explainSlave(slave),
      connections,
      replicationUsers: users,
      anonymousUsers: anonymous,
    };
  });
}

/** The actor's running environments replicating from `env` (matched on the address their slave thread uses). */
export async function slavesOf(actor: Actor, env: EnvironmentWithNodes) {
  const node = primaryNode(env);
  const others = (await listEnvironments(actor)).filter(
    (e) => e.id !== env.id && e.status === "running" && e.ownerId === env.ownerId,
  );
  const found = await Promise.all(
    others.map(async (o) => {
      const connections = await asRoot(o, repl.allSlaveStatus).catch(() => []);
      const match = connections.find(
        (c) => c.status.Master_Host === node.host && Number(c.status.Master_Port) === node.port,
      );
      return match ? { env: o, status: match.status, connection: match.name } : null;
    }),
  );
  return found.filter((f): f is NonNullable<typeof f> => f !== null);
}
