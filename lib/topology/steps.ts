import fs from "node:fs";
import path from "node:path";
import type { Actor } from "@/lib/auth/actor";
import { editConfig } from "@/lib/environments/config";
import { asRoot } from "@/lib/environments/root";
import { primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { ServiceError } from "@/lib/errors";
import { explainSlave } from "@/lib/mariadb/health";
import { changeMaster, controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import { setServerOptions } from "@/lib/mycnf/parse";
import { dataDir } from "@/lib/paths";
import { parseRuntime } from "@/lib/runtime/runtime";
import { type ReplicationLogin } from "./account";
import { serverFacts } from "./discover";

// Building blocks every topology operation uses: slave settings, pointing a slave at a master, waiting for it.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What every console-made slave runs with: read-only, and promotable (its own binlog with replicated events). */
export const SLAVE_OPTIONS = {
  "log-bin": "mysql-bin",
  "log-slave-updates": "ON",
  "binlog-format": "mixed",
  "read-only": "ON",
  "relay-log": "relay-bin",
  // With the 1 s heartbeat: a silent master (network partition) is noticed after 4 s instead of 60.
  "slave-net-timeout": "4",
};

/** After a failover or switchover, automatic failover waits this long before acting again (no flapping). */
export const antiFlapMs = () => Number(process.env.MARINER_ANTI_FLAP_SECONDS ?? 300) * 1000;

/**
 * New servers for a topology run on the same runtime; on Docker, on another host than their source; on a Swarm,
 * the same Swarm, on another node than their source (and its label, if it requires one).
 */
export function placementNear(source: EnvironmentWithNodes): {
  runtime?: "docker" | "swarm";
  host?: string;
  awayFrom?: string;
} {
  const runtime = parseRuntime(source.runtime);
  if (runtime.kind === "docker") return { runtime: "docker", awayFrom: source.name };
  if (runtime.kind === "swarm") return { runtime: "swarm", host: runtime.cluster, awayFrom: source.name };
  return {};
}

/** Topology changes of one owner never interleave (a move during a failover would be chaos). */

export async function applyOptions(
  actor: Actor,
  name: string,
  values: Record<string, string | null>,
  message: string,
  restart = true,
) {
  await editConfig(actor, name, (content) => setServerOptions(content, values), { message, restart });
}

/** STOP SLAVE; CHANGE MASTER TO the parent (GTID slave_pos); START SLAVE. */
export async function pointAt(slave: EnvironmentWithNodes, login: ReplicationLogin) {
  await asRoot(slave, async (c) => {
    await changeMaster(c, {
      host: login.host,
      port: login.port,
      user: login.user,
      password: login.password,
      mode: "gtid",
    });
    await controlSlave(c, "full-start");
  });
}

/** Until both threads run (or a real error shows): the slave is only "added" once it replicates. */
export async function waitReplicating(env: EnvironmentWithNodes, timeoutMs = 30_000) {
  const t0 = Date.now();
  for (;;) {
    const row = await asRoot(env, slaveStatus);
    const health = explainSlave(row);
    if (health.state === "running") return;
    if (health.state === "error" || Date.now() - t0 > timeoutMs)
      throw new ServiceError(
        502,
        "not_replicating",
        `${env.name}: ${health.message}`,
        [health.lastIoError, health.lastSqlError].filter(Boolean) as string[],
      );
    await sleep(50);
  }
}

export function snapshotFile(id: string) {
  const dir = path.join(dataDir(), "tmp");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${id}.sql`);
}

export function rootLogin(env: EnvironmentWithNodes) {
  const ref = nodeRefOf(primaryNode(env));
  return { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword };
}

export async function requireBinlog(env: EnvironmentWithNodes, why: string) {
  const facts = await serverFacts(env);
  if (!facts.logBin) {
    throw new ServiceError(
      409,
      "binlog_off",
      `Binary logging is off on ${env.name}, so ${why}. Turn it on first (Replication → Enable binary logging).`,
    );
  }
  return facts;
}
