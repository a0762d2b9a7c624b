import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { binlogGtidReader, type GtidPosition } from "@/lib/mariadb/gtid";
import { driverFor } from "@/lib/runtime";
import { judgePromotion, readSemiSyncLog, type Preflight } from "./analysis";
import { discoverTopology } from "./discover";

export type { Candidate, Preflight } from "./analysis";
import { antiFlapMs } from "./steps";

// Judging a switchover or failover before it runs: candidates, their GTID positions, what would be lost.

/**
 * The dead master's last GTID per domain and the last per domain and server it logged, read from its binary
 * logs where they are (its runtime reads them). null when they cannot be read: unknown, not empty.
 */
async function gtidsOnDisk(env: EnvironmentWithNodes): Promise<{ position: GtidPosition; gtids: string } | null> {
  const reader = binlogGtidReader();
  const read = await driverFor(env.runtime)
    .scanBinlogs(nodeRefOf(primaryNode(env)), (line) => reader.line(line))
    .catch(() => false);
  return read ? reader.result() : null;
}

/** The dead master's own notes on semi-sync since its last start (null: its log cannot be read). */
async function semiSyncLogOf(env: EnvironmentWithNodes) {
  const lines = await driverFor(env.runtime)
    .tailErrorLog(nodeRefOf(primaryNode(env)), 2000)
    .catch(() => null);
  return lines ? readSemiSyncLog(lines) : null;
}

async function masterAlive(env: EnvironmentWithNodes): Promise<boolean> {
  if (!(await driverFor(env.runtime).isAlive(nodeRefOf(primaryNode(env))))) return false;
  return asRoot({ ...env, status: "running" }, (c) => c.query("SELECT 1")).then(
    () => true,
    () => false,
  );
}

/**
 * The two vantage points alone, without the candidates' judgement: is the master alive to the console, and how
 * many connections still receive from it? Cheap enough to ask on every probe of a dead master.
 */
export async function vantagePoints(actor: Actor, masterName: string) {
  const master = await getEnvironment(actor, masterName);
  const [alive, topology] = await Promise.all([
    masterAlive(master),
    discoverTopology(actor, await slavesOf(actor, master)),
  ]);
  return {
    alive,
    receiving: topology.edges.filter((e) => e.from === master.name && e.ioRunning).length,
    /** Slaves that answered (their default connection reads from the master). */
    slaves: topology.nodes.filter((n) => n.master === master.name).map((n) => n.name),
  };
}

/** The master and the owner's servers that may replicate from it (everything else stays unasked). */
async function slavesOf(actor: Actor, master: EnvironmentWithNodes) {
  const all = await db().environment.findMany({ where: { ownerId: master.ownerId }, include: { nodes: true } });
  return all.filter((e) => e.status === "running" || e.id === master.id);
}

/** Reads what the pre-flight judges (./analysis): the topology, the master from the console, its binlogs on disk. */
export async function preflight(
  actor: Actor,
  masterName: string,
  wanted?: string,
  opts: { automatic?: boolean } = {},
): Promise<Preflight> {
  const master = await getEnvironment(actor, masterName);
  const topology = await discoverTopology(actor);
  const slaves = topology.nodes.filter((n) => n.master === master.name);
  const alive = await masterAlive(master);
  // Every connection reading from the master is a vantage point, multi-source ones included.
  const ioUp = topology.edges.filter((e) => e.from === master.name && e.ioRunning).length;
  const masterFacts = topology.nodes.find((n) => n.name === master.name)?.facts;
  const onDisk = alive && masterFacts ? null : await gtidsOnDisk(master);
  return judgePromotion({
    master: master.name,
    alive,
    masterFacts: masterFacts ?? null,
    onDisk,
    slaves,
    ioUp,
    wanted,
    automatic: opts.automatic,
    recentChange: opts.automatic ? await recentTopologyChange(master.ownerId) : null,
    semiSync: {
      wanted: master.semiSync,
      observed:
        master.semiSyncState === "active" || master.semiSyncState === "fallen-back" ? master.semiSyncState : null,
      observedSince: master.semiSyncSince,
      detail: master.semiSyncDetail,
      log: alive || !master.semiSync ? null : await semiSyncLogOf(master),
    },
  });
}

/** Anti-flapping: a switchover or failover of this owner's topology that finished within the quiet period. */
async function recentTopologyChange(ownerId: string): Promise<string | null> {
  const owned = (await db().environment.findMany({ where: { ownerId }, select: { id: true } })).map((e) => e.id);
  const recent = await db().operation.findFirst({
    where: {
      action: { in: ["topology.failover", "topology.switchover"] },
      status: "succeeded",
      environmentId: { in: owned },
      finishedAt: { gte: new Date(Date.now() - antiFlapMs()) },
    },
    orderBy: { finishedAt: "desc" },
  });
  if (!recent) return null;
  const ago = Math.round((Date.now() - recent.finishedAt!.getTime()) / 1000);
  return `A ${recent.action.split(".")[1]} of ${recent.target} finished ${ago} s ago: automatic failover waits ${antiFlapMs() / 1000} s between changes (anti-flapping)`;
}
