// Failover: can every write a client was told is committed be found on a slave? Semi-sync's evidence, judged.

/** What the dead master's error log says about semi-sync since it last started (MariaDB's own notes). */
export interface SemiSyncLog {
  /** The last "switched OFF" (a slave did not acknowledge in time) with no "switched ON" after it, or null. */
  switchedOff: string | null;
  /** Semi-sync slaves connected when the log ends (dump threads started minus stopped). */
  clientsAtEnd: number;
}

export interface SemiSyncEvidence {
  /** The topology runs semi-synchronous replication (the master's setting). */
  wanted: boolean;
  /** What the monitor last saw on the master (null: never observed). */
  observed: "active" | "fallen-back" | null;
  observedSince: Date | null;
  detail: string | null;
  /** Read from the dead master's error log; null when it cannot be read (its host is gone). */
  log: SemiSyncLog | null;
}

/** Reads the semi-sync notes after the server's last start; null when the start is not in the lines given. */
export function readSemiSyncLog(lines: string[]): SemiSyncLog | null {
  const start = lines.findLastIndex((l) => /ready for connections/.test(l));
  if (start < 0) return null;
  let switchedOff: string | null = null;
  let clients = 0;
  for (const line of lines.slice(start + 1)) {
    if (/Semi-sync replication switched OFF|Turning off semisync/i.test(line)) switchedOff = line.trim();
    else if (/Semi-sync replication switched ON/i.test(line)) switchedOff = null;
    else if (/Start semi-sync binlog_dump/i.test(line)) clients++;
    else if (/Stop semi-sync binlog_dump/i.test(line)) clients = Math.max(0, clients - 1);
  }
  return { switchedOff, clientsAtEnd: clients };
}

/**
 * Semi-sync held until the master died. Its own log is the latest word (a slave connected, no switch to
 * asynchronous since); without it, the monitor's last look (every second) must have seen it active. A fallback the
 * monitor saw (e.g. switched off by SQL, which the log does not record) counts either way.
 */
export function semiSyncHeld(e: SemiSyncEvidence): boolean {
  if (!e.wanted || e.observed === "fallen-back") return false;
  if (e.log) return e.log.switchedOff === null && e.log.clientsAtEnd > 0;
  return e.observed === "active";
}

const plural = (n: number) => `${n} transaction${n === 1 ? "" : "s"}`;

/**
 * The pre-flight's sentence on acknowledged writes. `holder` is the most advanced slave (after applying what it
 * received), `behindHolder` how far the chosen one is behind it, `lost` what the dead master logged that the chosen
 * one lacks (null: its binary logs cannot be read).
 */
export function judgeAcknowledged(
  master: string,
  e: SemiSyncEvidence,
  chosen: string | null,
  holder: string | null,
  behindHolder: number,
  lost: number | null,
): string {
  if (!holder) return `${master} has no slave that could hold its writes`;
  if (semiSyncHeld(e)) {
    const where =
      chosen && chosen !== holder && behindHolder > 0
        ? `all acknowledged writes are on ${holder}; ${chosen} is ${plural(behindHolder)} behind it, so promoting ${chosen} would lose acknowledged writes`
        : `all acknowledged writes are on ${holder}`;
    const unacked = lost
      ? ` The ${plural(lost)} in ${master}'s binary log that no slave received were never acknowledged to a client.`
      : "";
    return `Semi-synchronous replication was active until ${master} stopped: ${where}.${unacked}`;
  }
  const missing =
    lost === null
      ? `how many reached no slave is unknown (${master}'s binary logs cannot be read)`
      : lost === 0
        ? `none of ${master}'s logged transactions is missing on ${chosen ?? holder}: nothing is lost`
        : `${plural(lost)} on ${master}'s disk reached no slave and are lost`;
  if (!e.wanted)
    return `Asynchronous replication: ${master} acknowledged writes without waiting for a slave; ${missing}.`;
  const why = e.log?.switchedOff
    ? `its log says "${e.log.switchedOff.replace(/^.*\[(Note|Warning)\]\s*/, "")}"`
    : e.observed === "fallen-back"
      ? `${e.detail ?? "fallen back"}${e.observedSince ? ` (since ${e.observedSince.toISOString()})` : ""}`
      : e.log && e.log.clientsAtEnd === 0
        ? "no semi-sync slave was connected when it stopped"
        : "it was never seen active";
  return `Semi-synchronous replication was not holding when ${master} stopped (${why}): writes acknowledged without a slave may be lost; ${missing}.`;
}
