import { explainSlave } from "@/lib/mariadb/health";
import {
  compareProgress,
  errantGtids,
  formatGtid,
  gtidState,
  parseGtid,
  transactionsMissing,
  type GtidPosition,
} from "@/lib/mariadb/gtid";
import type { ServerFacts, TopologyNode } from "../discover";
import { judgeAcknowledged, type SemiSyncEvidence } from "./acknowledged";

// The switchover/failover pre-flight's judgement: who can be promoted, what would be lost.

export interface Candidate {
  name: string;
  /** What it executed (gtid_slave_pos). */
  gtid: string;
  /** What its IO thread received (Gtid_IO_Pos): semi-sync acknowledges on receipt, so acknowledged writes are here. */
  received: string;
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
  /** Failover: whether every acknowledged write is on the chosen slave, and why (null: the master is alive). */
  acknowledged: string | null;
}

export interface PromotionFacts {
  master: string;
  alive: boolean;
  masterFacts: ServerFacts | null;
  /** The dead master's GTIDs read from its binary logs (null: unknown). */
  onDisk: { position: GtidPosition; gtids: string } | null;
  slaves: TopologyNode[];
  /** Connections still receiving from the master: the slaves' vantage point. */
  ioUp: number;
  wanted?: string;
  /** Why an automatic failover must wait (anti-flapping), or null. */
  recentChange: string | null;
  semiSync: SemiSyncEvidence;
  /** Automatic failover: it must not promote a slave that lacks acknowledged writes. */
  automatic?: boolean;
}

/**
 * The report before any switchover or failover: candidates ranked by executed GTIDs and lag, what would be lost,
 * and why it is blocked. Two vantage points decide "dead": the console's own probe and every slave's IO thread.
 */
export function judgePromotion({
  master,
  alive,
  masterFacts,
  onDisk,
  slaves,
  ioUp,
  wanted,
  recentChange,
  semiSync,
  automatic = false,
}: PromotionFacts): Preflight {
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
      received: String(f?.slave?.Gtid_IO_Pos || gtid),
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
  if (!slaves.length) blocked = `${master} has no slaves`;
  else if (!best)
    blocked =
      "No candidate can be promoted: " + candidates.map((c) => `${c.name}: ${c.reasons.join("; ")}`).join(" · ");
  else if (wanted) {
    const w = candidates.find((c) => c.name === wanted);
    if (!w) blocked = `${wanted} is not a slave of ${master}`;
    else if (!w.ok) blocked = `${wanted} cannot be promoted: ${w.reasons.join("; ")}`;
    else if (!alive && transactionsMissing(parseGtid(best.gtid), parseGtid(w.gtid)) > 0)
      blocked = `${wanted} is behind ${best.name}: the most advanced slave must be promoted`;
  }
  if (!alive && ioUp > 0)
    blocked = `The console cannot reach ${master}, but ${ioUp} slave(s) still receive from it: not failing over on one vantage point`;
  if (recentChange) blocked = recentChange;
  const tentative = candidates.find((c) => c.name === chosen);
  // Only the dead master's domains count (a multi-source slave's other domains are no acknowledged writes of its).
  const domains = masterPos ?? (tentative ? parseGtid(tentative.gtid) : null);
  const mine = (text: string) => {
    const pos = parseGtid(text);
    return domains ? new Map([...pos].filter(([d]) => domains.has(d))) : pos;
  };
  // The semi-sync slave (single source) that received the most: it holds every acknowledged write.
  const ackers = slaves.filter((s) => s.facts?.semiSync?.slaveEnabled && s.facts.connections.length <= 1);
  const holder =
    candidates
      .filter((c) => ackers.some((a) => a.name === c.name))
      .sort((a, b) => compareProgress(mine(a.received), mine(b.received)))[0] ??
    candidates[0] ??
    null;
  // Semi-sync slaves the dead master's log shows connected, beyond those answering now: one may hold what others lack.
  const missingAckers = semiSync.log ? Math.max(0, semiSync.log.clientsAtEnd - ackers.length) : 0;
  const behindHolder = holder && tentative ? transactionsMissing(mine(holder.received), mine(tentative.gtid)) : 0;
  const lost =
    !alive && masterPos && tentative ? transactionsMissing(masterPos, parseGtid(tentative.gtid)) : alive ? 0 : null;
  const acknowledged = alive
    ? null
    : judgeAcknowledged(master, semiSync, {
        chosen,
        holder: holder?.name ?? null,
        behindHolder,
        lost,
        missingAckers,
        unreceived: masterPos && holder ? transactionsMissing(masterPos, mine(holder.received)) : null,
      });
  if (automatic && !blocked && acknowledged?.losesAcknowledged)
    blocked = `Automatic failover does not promote a slave that lacks acknowledged writes: ${acknowledged.text}`;
  if (blocked) chosen = null;
  const chosenCandidate = candidates.find((c) => c.name === chosen);
  // A caught-up candidate needs only the promotion itself (~20 ms measured); a lagging one its catch-up first.
  const expectedReadOnlyMs = alive && chosenCandidate ? 20 + (chosenCandidate.secondsBehind ?? 0) * 1000 : null;
  return {
    acknowledged: acknowledged?.text ?? null,
    master,
    masterAlive: alive,
    masterPosition: masterPos ? formatGtid(masterPos) : null,
    candidates,
    chosen,
    blocked,
    lost: blocked ? (alive ? 0 : null) : lost,
    expectedReadOnlyMs,
  };
}
