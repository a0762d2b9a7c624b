import type { Connection } from "mysql2/promise";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import {
  explainSemiSync,
  semiSyncStatus,
  setSemiSyncMaster,
  setSemiSyncSlave,
  type SemiSyncStatus,
} from "@/lib/mariadb/semisync";
import { parseInput } from "@/lib/validation";
import { discoverTopology } from "./discover";
import { resolveServers } from "./phases";
import { applyOptions } from "./steps";

// Semi-synchronous replication per master: switched on for the master and its slaves, live and in each my.cnf,
// and carried to whoever takes a role (switchover, failover, Add slave, Clone).

export const DEFAULT_SEMI_SYNC_TIMEOUT_MS = 1000;

export const semiSyncInput = z.strictObject({
  enabled: z.boolean(),
  /** How long a commit waits for a slave's acknowledgement before the master falls back to asynchronous. */
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});

export type SemiSyncRole = "master" | "slave" | "none";

/** The my.cnf lines of a role (null removes a line), so a restarted server keeps the role it has. */
export function semiSyncOptions(role: SemiSyncRole, timeoutMs = DEFAULT_SEMI_SYNC_TIMEOUT_MS) {
  const master = role === "master";
  return {
    "rpl-semi-sync-master-enabled": master ? "ON" : null,
    "rpl-semi-sync-master-wait-point": master ? "AFTER_SYNC" : null,
    "rpl-semi-sync-master-timeout": master ? String(timeoutMs) : null,
    "rpl-semi-sync-master-wait-no-slave": master ? "OFF" : null,
    "rpl-semi-sync-slave-enabled": role === "slave" ? "ON" : null,
  };
}

/** What a server's own role becomes live: the master side or the slave side (or neither). */
export async function takeSemiSyncRole(c: Connection, role: SemiSyncRole, timeoutMs: number) {
  await setSemiSyncMaster(c, role === "master", timeoutMs);
  await setSemiSyncSlave(c, role === "slave");
}

/**
 * Turns semi-synchronous replication on or off for a master and the slaves replicating from it: live (SET GLOBAL,
 * each slave's IO thread reconnected) and in every my.cnf, slaves first so the master is active at once.
 */
export async function setSemiSync(actor: Actor, masterName: string, raw: unknown) {
  const found = await getEnvironment(actor, masterName);
  const input = parseInput(semiSyncInput, raw);
  return topologyLock(found.ownerId, async () => {
    const servers = await resolveServers(found.ownerId);
    const master = servers.get(found.name);
    const topology = await discoverTopology(actor, servers.all);
    const node = topology.nodes.find((n) => n.name === master.name)!;
    if (!node.facts) throw new ServiceError(409, "not_running", `${master.name} is not running (${master.status})`);
    if (node.master)
      throw new ServiceError(
        409,
        "not_a_master",
        `${master.name} replicates from ${node.master}: semi-synchronous replication is set on the topology's master`,
      );
    if (input.enabled && !node.facts.logBin)
      throw new ServiceError(409, "no_binlog", `${master.name} has no binary log: enable it first (Replication tab)`);
    const slaves = topology.edges.filter((e) => e.from === master.name && e.connection === "").map((e) => e.to);
    const timeoutMs = input.timeoutMs ?? master.semiSyncTimeoutMs;
    const apply = (enabled: boolean, ms: number) =>
      applySemiSync(actor, { master, slaves: slaves.map(servers.get) }, enabled, ms);
    try {
      await apply(input.enabled, timeoutMs);
    } catch (e) {
      // All or nothing: every server is put back to the setting it had (best effort; what could not be is said).
      const back = await apply(master.semiSync, master.semiSyncTimeoutMs).then(
        () => "every server was put back as it was",
        (again) => `putting the servers back failed too (${(again as Error).message}): save again to retry`,
      );
      const [status, code] = e instanceof ServiceError ? [e.status, e.code] : [500, "semi_sync_failed"];
      throw new ServiceError(
        status,
        code,
        `${(e as Error).message}; ${back}`,
        e instanceof ServiceError ? e.lines : [],
      );
    }
    await db().environment.update({
      where: { id: master.id },
      data: { semiSync: input.enabled, semiSyncTimeoutMs: timeoutMs, ...unobserved },
    });
    // A fallback is worth an alert without anyone asking for one (kept if the user deletes it later: not re-added).
    if (
      input.enabled &&
      !master.semiSync &&
      !(await db().alertRule.findFirst({ where: { environmentId: master.id, kind: "semi-sync" } }))
    )
      await db().alertRule.create({ data: { environmentId: master.id, kind: "semi-sync", forSec: 10 } });
    return { enabled: input.enabled, timeoutMs, slaves };
  });
}

/** The master and its slaves take their sides (or none), live and in my.cnf: slaves first, so the master is active at once. */
async function applySemiSync(
  actor: Actor,
  { master, slaves }: { master: EnvironmentWithNodes; slaves: EnvironmentWithNodes[] },
  enabled: boolean,
  timeoutMs: number,
) {
  const label = enabled ? `Semi-synchronous replication (timeout ${timeoutMs} ms)` : "Asynchronous replication";
  const role = (r: SemiSyncRole): SemiSyncRole => (enabled ? r : "none");
  // Settled, not raced: every server finishes its change (the master too) before a failure is reported or undone.
  const done = await Promise.allSettled(
    slaves.map(async (slave) => {
      await asRoot(slave, (c) => takeSemiSyncRole(c, role("slave"), timeoutMs));
      await applyOptions(actor, slave.name, semiSyncOptions(role("slave")), `${label}: slave side`, false);
    }),
  );
  const masterDone = await Promise.allSettled([
    (async () => {
      await asRoot(master, (c) => takeSemiSyncRole(c, role("master"), timeoutMs));
      await applyOptions(
        actor,
        master.name,
        semiSyncOptions(role("master"), timeoutMs),
        `${label}: master side`,
        false,
      );
    })(),
  ]);
  const failures = [...done, ...masterDone]
    .map((r, i) => (r.status === "rejected" ? `${[...slaves, master][i].name}: ${(r.reason as Error).message}` : null))
    .filter((m): m is string => m !== null);
  if (failures.length) {
    const first = [...done, ...masterDone].find((r) => r.status === "rejected")!.reason;
    throw first instanceof ServiceError
      ? new ServiceError(first.status, first.code, failures.join("; "), first.lines)
      : new Error(failures.join("; "));
  }
}

/** The setting, the monitor's last observation, and what the server says right now (null: not answering). */
export async function getSemiSync(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const live = env.status === "running" ? await asRoot(env, semiSyncStatus).catch(() => null) : null;
  return semiSyncView(env, live);
}

export function semiSyncView(env: EnvironmentWithNodes, live: SemiSyncStatus | null) {
  return {
    enabled: env.semiSync,
    timeoutMs: env.semiSyncTimeoutMs,
    observed: env.semiSyncState,
    since: env.semiSyncSince,
    detail: env.semiSyncDetail,
    now: live ? { ...explainSemiSync(live), clients: live.clients, slaveActive: live.slaveActive } : null,
  };
}

const unobserved = { semiSyncState: null, semiSyncSince: null, semiSyncDetail: null };

/** After a promotion the flag belongs to the new master (its alert rules too); the old one keeps none. */
export async function handOverSemiSync(oldMaster: EnvironmentWithNodes, newMaster: EnvironmentWithNodes) {
  if (!oldMaster.semiSync) return;
  await db().$transaction([
    db().environment.update({
      where: { id: newMaster.id },
      data: { semiSync: true, semiSyncTimeoutMs: oldMaster.semiSyncTimeoutMs, ...unobserved },
    }),
    db().environment.update({ where: { id: oldMaster.id }, data: { semiSync: false, ...unobserved } }),
    db().alertRule.updateMany({
      where: { environmentId: oldMaster.id, kind: "semi-sync" },
      data: { environmentId: newMaster.id },
    }),
  ]);
}

/** The my.cnf lines of a server taking `role` under `master` (nothing when the topology is asynchronous). */
export const semiSyncOptionsUnder = (master: { semiSync: boolean; semiSyncTimeoutMs: number }, role: SemiSyncRole) =>
  master.semiSync ? semiSyncOptions(role, master.semiSyncTimeoutMs) : {};
