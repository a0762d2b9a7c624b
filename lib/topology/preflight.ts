import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { identityOf, serverProcessOptions } from "@/lib/runtime/identity";
import { readNodeFile } from "@/lib/runtime/node-files";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, listEnvironments, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import {
  binlogGtidReader,
  compareProgress,
  errantGtids,
  formatGtid,
  gtidState,
  parseGtid,
  transactionsMissing,
  type GtidPosition,
} from "@/lib/mariadb/gtid";
import { explainSlave } from "@/lib/mariadb/health";
import { driverFor } from "@/lib/runtime";
import { discoverTopology, type ServerFacts } from "./discover";
import { antiFlapMs } from "./steps";

// Judging a switchover or failover before it runs: candidates, their GTID positions, what would be lost.

// ---- Switchover and failover ----

export interface Candidate {
  name: string;
  gtid: string;
  /** Transactions written directly on this slave (its own server-id in its binlog): they exist nowhere else. */
  errant: string | null;
  transactionsBehind: number;
  secondsBehind: number | null;
  ok: boolean;
  reasons: string[];
}

export interface Preflight {
  master: string;
  masterAlive: boolean;
  masterPosition: string | null;
  candidates: Candidate[];
  chosen: string | null;
  blocked: string | null;
  /** Transactions the dead master had that no slave received (failover; null when unknown). */
  lost: number | null;
  /** Switchover: how long the master is expected to stay read-only (the chosen candidate's catch-up). */
  expectedReadOnlyMs: number | null;
}

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

/**
 * The report before any switchover or failover: candidates ranked by executed GTIDs and lag, what would be
 * lost, and why it is blocked. Two vantage points decide "dead": the console's own probe and every slave's IO thread.
 */
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
  const masterPos = alive && masterFacts ? parseGtid(masterFacts.gtidBinlogPos) : (onDisk?.position ?? null);
  // Everything the master and each slave have executed or logged: a GTID known nowhere but on one candidate is errant.
  const knownBy = (f: ServerFacts | null | undefined) =>
    f ? [f.gtidBinlogState, f.gtidSlavePos, f.gtidCurrentPos] : [];

  const candidates: Candidate[] = slaves.map((s) => {
    const reasons: string[] = [];
    const f = s.facts;
    if (!f?.slave) reasons.push("not reachable");
    else {
      if (!f.logBin) reasons.push("binary logging is off: its own slaves would have nothing to read");
      if (f.connections.length > 1)
        reasons.push(
          "replicates from other masters too (multi-source): as the master it would keep pulling their data",
        );
      if (alive && explainSlave(f.slave).state !== "running") reasons.push(explainSlave(f.slave).message);
      const filters = [
        "Replicate_Do_DB",
        "Replicate_Ignore_DB",
        "Replicate_Wild_Do_Table",
        "Replicate_Wild_Ignore_Table",
      ].filter((k) => f.slave![k]);
      if (filters.length)
        reasons.push(`has replication filters (${filters.join(", ")}): it does not hold all the data`);
    }
    const gtid = f?.gtidSlavePos ?? "";
    // Without the master's history (dead, binlog not on this disk) and no other slave, nothing can be judged errant.
    const judged = (alive && masterFacts) || onDisk !== null || slaves.filter((o) => o !== s && o.facts).length > 0;
    const elsewhere = gtidState(
      ...knownBy(masterFacts),
      onDisk?.gtids,
      ...slaves.filter((o) => o !== s).flatMap((o) => knownBy(o.facts)),
    );
    const own = f && judged ? errantGtids(f.serverId, f.gtidBinlogState, elsewhere) : [];
    const errant = own.length ? own.join(",") : null;
    if (errant)
      reasons.push(`errant transactions (${errant}): writes made directly on this slave, which the others do not have`);
    return {
      name: s.name,
      gtid,
      errant,
      transactionsBehind: masterPos ? transactionsMissing(masterPos, parseGtid(gtid)) : 0,
      secondsBehind: f?.slave ? explainSlave(f.slave).secondsBehind : null,
      ok: reasons.length === 0,
      reasons,
    };
  });
  candidates.sort(
    (a, b) =>
      compareProgress(parseGtid(a.gtid), parseGtid(b.gtid)) ||
      Number(b.ok) - Number(a.ok) ||
      (a.secondsBehind ?? 1e9) - (b.secondsBehind ?? 1e9),
  );
  const best = candidates.find((c) => c.ok) ?? null;
  let blocked: string | null = null;
  let chosen = wanted ?? best?.name ?? null;
  if (!slaves.length) blocked = `${master.name} has no slaves`;
  else if (!best)
    blocked =
      "No candidate can be promoted: " + candidates.map((c) => `${c.name}: ${c.reasons.join("; ")}`).join(" · ");
  else if (wanted) {
    const w = candidates.find((c) => c.name === wanted);
    if (!w) blocked = `${wanted} is not a slave of ${master.name}`;
    else if (!w.ok) blocked = `${wanted} cannot be promoted: ${w.reasons.join("; ")}`;
    else if (!alive && transactionsMissing(parseGtid(best.gtid), parseGtid(w.gtid)) > 0)
      blocked = `${wanted} is behind ${best.name}: the most advanced slave must be promoted`;
  }
  if (!alive && ioUp > 0)
    blocked = `The console cannot reach ${master.name}, but ${ioUp} slave(s) still receive from it: not failing over on one vantage point`;
  if (opts.automatic) {
    const owned = (await listEnvironments(actor)).filter((e) => e.ownerId === master.ownerId).map((e) => e.id);
    const recent = await db().operation.findFirst({
      where: {
        action: { in: ["topology.failover", "topology.switchover"] },
        status: "succeeded",
        environmentId: { in: owned },
        finishedAt: { gte: new Date(Date.now() - antiFlapMs()) },
      },
      orderBy: { finishedAt: "desc" },
    });
    if (recent)
      blocked = `A ${recent.action.split(".")[1]} of ${recent.target} finished ${Math.round((Date.now() - recent.finishedAt!.getTime()) / 1000)} s ago: automatic failover waits ${antiFlapMs() / 1000} s between changes (anti-flapping)`;
  }
  if (blocked) chosen = null;
  const lost =
    !alive && masterPos && chosen
      ? transactionsMissing(masterPos, parseGtid(candidates.find((c) => c.name === chosen)!.gtid))
      : alive
        ? 0
        : null;
  const chosenCandidate = candidates.find((c) => c.name === chosen);
  // A caught-up candidate needs only the promotion itself (~20 ms measured); a lagging one its catch-up first.
  const expectedReadOnlyMs = alive && chosenCandidate ? 20 + (chosenCandidate.secondsBehind ?? 0) * 1000 : null;
  return {
    master: master.name,
    masterAlive: alive,
    masterPosition: masterPos ? formatGtid(masterPos) : null,
    candidates,
    chosen,
    blocked,
    lost,
    expectedReadOnlyMs,
  };
}
