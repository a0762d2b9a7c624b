// Failover: can every write a client was told is committed be found on a slave? Semi-sync's evidence, judged.

/** What the dead master's error log says about semi-sync since it last started (MariaDB's own notes). */
export interface SemiSyncLog {
  /** Commits waited for a slave when the log ends: switched ON (or enabled) last, not switched OFF since. */
  on: boolean;
  /** The line that switched it off last, when it ended off. */
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

// MariaDB's own notes, anchored to the line's start (date, time, thread id, [Note]): text a client can get into the
// log (a failed login's user name) sits after "[Warning] Access denied for user", never there.
const note = (text: string) =>
  new RegExp(`^\\d{4}-\\d{2}-\\d{2}\\s+\\d{1,2}:\\d{2}:\\d{2}\\s+\\d+\\s+\\[Note\\] ${text}`);
const READY = /^\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}:\d{2}\s+\d+\s+\[Note\] \S*(mariadbd|mysqld): ready for connections/;
const SWITCHED_ON = [
  note("Semi-sync replication switched ON with slave"),
  note("Semi-sync replication enabled on the master"),
];
const SWITCHED_OFF = [
  note("Semi-sync replication switched OFF"),
  /^\S+\s+\S+\s+\d+\s+\[\w+\] Failed to register slave to semi-sync ACK receiver thread/,
];
const DUMP_START = note("Start semi-sync binlog_dump to slave");
const DUMP_STOP = note("Stop semi-sync binlog_dump to slave");

/**
 * Reads the semi-sync notes after the server's last start; null when the start is not in the lines given. It starts
 * off: with wait_no_slave OFF MariaDB switches semi-sync off at startup and on only when a slave has caught up.
 */
export function readSemiSyncLog(lines: string[]): SemiSyncLog | null {
  const start = lines.findLastIndex((l) => READY.test(l));
  if (start < 0) return null;
  let on = false;
  let switchedOff: string | null = null;
  let clients = 0;
  for (const line of lines.slice(start + 1)) {
    if (SWITCHED_OFF.some((r) => r.test(line))) [on, switchedOff] = [false, line.trim()];
    else if (SWITCHED_ON.some((r) => r.test(line))) [on, switchedOff] = [true, null];
    else if (DUMP_START.test(line)) clients++;
    else if (DUMP_STOP.test(line)) clients = Math.max(0, clients - 1);
  }
  return { on, switchedOff, clientsAtEnd: clients };
}

/**
 * Semi-sync held until the master died: its own log says so (on, a slave connected) and the monitor's last look
 * saw it active (a line forged into the log through a login's user name cannot outvote that). Without the log nothing is claimed: a master cut off from its slaves falls back after the timeout and
 * goes on acknowledging, and only its log would tell.
 */
export function semiSyncHeld(e: SemiSyncEvidence): boolean {
  if (!e.wanted || e.observed !== "active" || !e.log) return false;
  return e.log.on && e.log.clientsAtEnd > 0;
}

const plural = (n: number) => `${n} transaction${n === 1 ? "" : "s"}`;

export interface Acknowledged {
  text: string;
  /** Promoting the chosen slave would lose writes a client was told are committed. */
  losesAcknowledged: boolean;
}

/** What the pre-flight knows about the candidates, for the sentence. */
export interface AckPositions {
  chosen: string | null;
  /** The semi-sync slave that received the most. */
  holder: string | null;
  /** What the holder received that the chosen one has not executed (its own relay log counts: promotion discards it). */
  behindHolder: number;
  /** What the dead master logged that the chosen one lacks (null: its binary logs cannot be read). */
  lost: number | null;
  /** Semi-sync slaves its log shows connected beyond the ones that answer now. */
  missingAckers: number;
  /** What the dead master logged that the holder never received (null: unknown). */
  unreceived: number | null;
}

/** The pre-flight's sentence on acknowledged writes, and whether promoting the chosen slave would lose some. */
export function judgeAcknowledged(
  master: string,
  e: SemiSyncEvidence,
  { chosen, holder, behindHolder, lost, missingAckers, unreceived }: AckPositions,
): Acknowledged {
  // A semi-sync slave received more than the chosen one executed: some of it may have been acknowledged, whatever
  // else is known.
  const short = e.wanted && !!chosen && behindHolder > 0;
  if (!holder) return { text: `${master} has no slave that could hold its writes`, losesAcknowledged: false };
  if (semiSyncHeld(e) && missingAckers === 0) {
    const where = !short
      ? `all acknowledged writes are on ${holder}`
      : chosen === holder
        ? `all acknowledged writes reached ${holder}, but ${plural(behindHolder)} of them are not applied yet (promotion discards its relay log)`
        : `all acknowledged writes are on ${holder}; ${chosen} lacks ${plural(behindHolder)} of them, so promoting ${chosen} would lose acknowledged writes`;
    const unacked = unreceived
      ? ` The ${plural(unreceived)} in ${master}'s binary log that no slave received were never acknowledged to a client.`
      : "";
    return {
      text: `Semi-synchronous replication was active until ${master} stopped: ${where}.${unacked}`,
      losesAcknowledged: short,
    };
  }
  const missing =
    lost === null
      ? `how many reached no slave is unknown (${master}'s binary logs cannot be read)`
      : lost === 0
        ? `none of ${master}'s logged transactions is missing on ${chosen ?? holder}: nothing is lost`
        : `${plural(lost)} on ${master}'s disk are not on ${chosen ?? holder} and are lost`;
  if (!e.wanted)
    return {
      text: `Asynchronous replication: ${master} acknowledged writes without waiting for a slave; ${missing}.`,
      losesAcknowledged: false,
    };
  const why =
    missingAckers && semiSyncHeld(e)
      ? `${missingAckers} of the semi-sync slaves connected to it when it stopped ${missingAckers === 1 ? "does" : "do"} not answer and may hold acknowledged writes nobody else has`
      : e.observed === "fallen-back"
        ? `${e.detail ?? "fallen back"}${e.observedSince ? ` (since ${e.observedSince.toISOString()})` : ""}`
        : !e.log
          ? `${master}'s error log cannot be read: a master cut off from its slaves falls back to asynchronous after the timeout and goes on acknowledging`
          : e.log.switchedOff
            ? `its log says "${e.log.switchedOff.replace(/^.*\[(Note|Warning)\]\s*/, "")}"`
            : e.log.clientsAtEnd === 0
              ? "no semi-sync slave was connected when it stopped"
              : "its log never shows semi-sync switched on since it started";
  const unapplied = short
    ? ` ${holder} received ${plural(behindHolder)} that ${chosen} lacks: some may have been acknowledged.`
    : "";
  return {
    text: `Semi-synchronous replication cannot be shown to have held when ${master} stopped (${why}): writes acknowledged without a slave may be lost; ${missing}.${unapplied}`,
    losesAcknowledged: short,
  };
}
