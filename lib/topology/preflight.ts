import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { identityOf, serverProcessOptions } from "@/lib/runtime/identity";
import { readNodeFile } from "@/lib/runtime/node-files";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { binlogGtidReader, type GtidPosition } from "@/lib/mariadb/gtid";
import { driverFor } from "@/lib/runtime";
import { judgePromotion, type Preflight } from "./analysis";
import { discoverTopology } from "./discover";

export type { Candidate, Preflight } from "./analysis";
import { antiFlapMs } from "./steps";

// Judging a switchover or failover before it runs: candidates, their GTID positions, what would be lost.

/**
 * The dead master's last GTID per domain and the last per domain and server it logged, read from its binary
 * logs on disk (streamed). null when they cannot be read: unknown, not empty.
 */
async function gtidsOnDisk(env: EnvironmentWithNodes): Promise<{ position: GtidPosition; gtids: string } | null> {
  const node = primaryNode(env);
  if (!node.baseDir) return null;
  const datadir = path.join(node.baseDir, "data");
  const index = path.join(datadir, "mysql-bin.index");
  if (!fs.existsSync(index)) return null;
  const reader = binlogGtidReader();
  // The index is written by the server's uid: read without following links, and only files inside its datadir.
  // Only binlog files by their own name pattern; read as the server's uid (it could only name files it can read).
  const files = readNodeFile(node.baseDir, index)
    .split("\n")
    .filter((f) => /^(\.\/)?[A-Za-z0-9_.-]+\.\d{6}$/.test(f));
  const as = serverProcessOptions(identityOf(node.baseDir), datadir);
  for (const [i, f] of files.entries()) {
    const child = spawn("mariadb-binlog", ["--base64-output=never", path.resolve(datadir, f)], {
      ...as,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
    child.once("error", () => undefined); // no binary: the exit code says so
    for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) reader.line(line);
    // The last file of a killed server may end in a torn event: what was read before it still counts.
    if ((await exited) !== 0 && i < files.length - 1) return null;
  }
  return reader.result();
}

async function masterAlive(env: EnvironmentWithNodes): Promise<boolean> {
  if (!(await driverFor(env.runtime).isAlive(nodeRefOf(primaryNode(env))))) return false;
  return asRoot({ ...env, status: "running" }, (c) => c.query("SELECT 1")).then(
    () => true,
    () => false,
  );
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
    recentChange: opts.automatic ? await recentTopologyChange(master.ownerId) : null,
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
