// Judging what an archive can recover: the window (oldest usable backup → last archived transaction), its gaps
// with their reason, and the plan to reach a target — which backup, then which files up to where.
import type { ArchivedBinlog, Backup, BinlogArchive } from "@/generated/prisma/client";
import { formatGtid, includes, latestPerDomain, parseGtid, type GtidPosition } from "@/lib/mariadb/gtid";

/** Which server was the archive's master from when; each one's files are a segment of their own. */
export interface Era {
  masterId: string;
  name: string;
  since: string;
}

export const erasOf = (archive: { eras: string }) => JSON.parse(archive.eras) as Era[];

export type Target = { time: Date } | { gtid: GtidPosition };

interface EraFiles extends Era {
  files: ArchivedBinlog[];
  /** Everything before its first file (its binary log starts there). */
  start: GtidPosition;
  end: GtidPosition;
}

/** One step of a replay: these files, from the state reached so far, stopping at `stop` (a fork or the target). */
export interface ReplayStep {
  files: ArchivedBinlog[];
  stop: { time: Date } | { gtid: GtidPosition } | null;
  era: string;
}

export interface RecoveryPlan {
  base: Backup;
  steps: ReplayStep[];
}

export interface RecoveryView {
  from: Date | null;
  to: Date | null;
  gaps: string[];
  eras: { name: string; since: string; files: number; bytes: number }[];
}

/** The era a segment was archived in ("<environment>-<server id>-e<era>[-r<n>]"). */
const eraOfSegment = (segment: string) => Number(/-e(\d+)(?:-r\d+)?$/.exec(segment)?.[1] ?? -1);

function erasWithFiles(archive: BinlogArchive, files: ArchivedBinlog[]): EraFiles[] {
  return erasOf(archive).map((era, index) => {
    const own = files
      .filter((f) => eraOfSegment(f.segment) === index && f.sourceEnvironmentId === era.masterId)
      .sort((a, b) => +a.createdAt - +b.createdAt || a.fileName.localeCompare(b.fileName));
    return {
      ...era,
      files: own,
      start: latestPerDomain(own[0]?.startState),
      end: latestPerDomain(own.at(-1)?.endState),
    };
  });
}

/** Backups that can start a recovery: succeeded, with a position, of a server that was this archive's master. */
export function usableBases(archive: BinlogArchive, backups: Backup[]): Backup[] {
  const masters = new Set([archive.environmentId, ...erasOf(archive).map((e) => e.masterId)]);
  return backups
    .filter((b) => b.status === "succeeded" && b.gtidPosition && b.finishedAt && masters.has(b.environmentId))
    .sort((a, b) => a.finishedAt!.getTime() - b.finishedAt!.getTime());
}

/**
 * The files that bring `from` up to era `j` (walking back through earlier eras while era j's binary log starts
 * after `from`); null with the reason when a stretch was never archived.
 */
function chainTo(eras: EraFiles[], j: number, from: GtidPosition): { steps: ReplayStep[] } | { gap: string } {
  const steps: ReplayStep[] = [];
  let k = j;
  while (!includes(from, eras[k].start)) {
    if (k === 0)
      return {
        gap: `${eras[0].name}'s archived binary logs start at ${formatGtid(eras[0].start)}, after the backup's ${formatGtid(from)} (older ones were purged before archiving began)`,
      };
    if (!includes(eras[k - 1].end, eras[k].start))
      return {
        gap: `${eras[k].name}'s binary logs start at ${formatGtid(eras[k].start)} but ${eras[k - 1].name}'s archive ends at ${formatGtid(eras[k - 1].end)}: transactions between them were never archived`,
      };
    steps.unshift({ files: eras[k - 1].files, stop: { gtid: eras[k].start }, era: eras[k - 1].name });
    k--;
  }
  return { steps };
}

const eraAt = (eras: EraFiles[], time: Date) => {
  let j = 0;
  eras.forEach((e, i) => Date.parse(e.since) <= time.getTime() && (j = i));
  return j;
};

export function recoveryView(archive: BinlogArchive, files: ArchivedBinlog[], backups: Backup[]): RecoveryView {
  const eras = erasWithFiles(archive, files);
  const bases = usableBases(archive, backups);
  const gaps: string[] = [];
  let from: Date | null = null;
  for (const base of bases) {
    const chain = chainTo(eras, eras.length - 1, parseGtid(base.gtidPosition));
    if ("gap" in chain) gaps.push(`backup of ${base.finishedAt!.toISOString()}: ${chain.gap}`);
    else from ??= base.finishedAt;
  }
  const last = [...files].filter((f) => f.lastEventAt).sort((a, b) => +b.lastEventAt! - +a.lastEventAt!)[0];
  return {
    from,
    to: from && last ? last.lastEventAt : null,
    gaps,
    eras: eras.map((e) => ({
      name: e.name,
      since: e.since,
      files: e.files.length,
      bytes: e.files.reduce((n, f) => n + f.sizeBytes, 0),
    })),
  };
}

/** Which backup, then which files up to the target; a 4xx-worthy reason when the target cannot be reached. */
export function planRecovery(
  archive: BinlogArchive,
  files: ArchivedBinlog[],
  backups: Backup[],
  target: Target,
): RecoveryPlan | { refused: string } {
  const eras = erasWithFiles(archive, files);
  const bases = usableBases(archive, backups);
  let j: number;
  let candidates: Backup[];
  if ("time" in target) {
    j = eraAt(eras, target.time);
    candidates = bases.filter((b) => b.finishedAt! <= target.time);
    const last = Math.max(0, ...files.map((f) => f.lastEventAt?.getTime() ?? 0));
    if (target.time.getTime() > last)
      return { refused: `Nothing is archived after ${new Date(last).toISOString()}: choose an earlier time` };
  } else {
    const found = eras.findLastIndex((e) => includes(e.end, target.gtid));
    if (found < 0) return { refused: `No archived binary log reaches ${formatGtid(target.gtid)}` };
    j = found;
    candidates = bases.filter((b) => !includes(parseGtid(b.gtidPosition), target.gtid));
  }
  if (!candidates.length) return { refused: "No backup was taken before that point: the window starts later" };
  for (const base of candidates.reverse()) {
    const chain = chainTo(eras, j, parseGtid(base.gtidPosition));
    if ("gap" in chain) continue;
    return {
      base,
      steps: [...chain.steps, { files: eras[j].files, stop: target, era: eras[j].name }],
    };
  }
  const reason = chainTo(eras, j, parseGtid(candidates[0].gtidPosition));
  return { refused: "gap" in reason ? reason.gap : "No backup can reach that point" };
}
