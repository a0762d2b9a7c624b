// Judging a Galera cluster from what each member said (never fixing anything here): plain words and what to do.
import type { WsrepStatus } from "@/lib/mariadb/galera";

export interface MemberLook {
  name: string;
  address: string;
  /** Whether its process runs at all (a running server that does not answer has `wsrep` null). */
  running: boolean;
  wsrep: WsrepStatus | null;
}

export interface ClusterProblem {
  severity: "critical" | "warning";
  message: string;
  fix: string;
}

export interface ClusterHealth {
  /** "healthy" | "degraded" (fewer members than it has, or flow control) | "down" (no primary component). */
  state: "healthy" | "degraded" | "down";
  primarySize: number;
  problems: ClusterProblem[];
}

const FLOW_CONTROL_WARN = 0.1;

export function judgeCluster(looks: MemberLook[]): ClusterHealth {
  const problems: ClusterProblem[] = [];
  const primary = looks.filter((l) => l.wsrep?.clusterStatus === "Primary");
  const nonPrimary = looks.filter((l) => l.wsrep && l.wsrep.clusterStatus !== "Primary");
  const down = looks.filter((l) => !l.running);
  const uuids = new Set(primary.map((l) => l.wsrep!.clusterUuid));
  const primarySize = Math.max(0, ...primary.map((l) => l.wsrep!.clusterSize));

  if (!primary.length && down.length === looks.length)
    problems.push({
      severity: "critical",
      message: "Every member is down: the cluster cannot serve anything",
      fix: "Recover the cluster: the console finds the most advanced member, bootstraps it and rejoins the others",
    });
  else if (!primary.length)
    problems.push({
      severity: "critical",
      message: `No member is in a primary component (${nonPrimary.map((l) => `${l.name}: ${l.wsrep!.clusterStatus}`).join(", ") || "no member answers"}): writes and reads are refused`,
      fix: "If the other members are really gone, Recover the cluster; if they are cut off (a network split), bring the network back: forcing a side to continue can lose the other side's commits",
    });
  if (uuids.size > 1)
    problems.push({
      severity: "critical",
      message: `Split brain: members are in ${uuids.size} different primary components`,
      fix: "Stop the writes on the side with fewer members; the console does not merge them by force",
    });
  if (primary.length && nonPrimary.length)
    problems.push({
      severity: "critical",
      message: `${nonPrimary.map((l) => l.name).join(", ")} ${nonPrimary.length > 1 ? "are" : "is"} cut off from the primary component (non-Primary): ${nonPrimary.length > 1 ? "they refuse" : "it refuses"} queries`,
      fix: "Check its network to the others; once it can reach them it rejoins by itself",
    });
  for (const l of down)
    if (primary.length)
      problems.push({
        severity: "warning",
        message: `${l.name} is down: the cluster runs on ${primarySize} of ${looks.length} members`,
        fix: "Start it: it rejoins by an incremental state transfer (IST) when the others still hold what it missed",
      });
  for (const l of looks) {
    const w = l.wsrep;
    if (!w || w.clusterStatus !== "Primary") continue;
    if (w.state !== "Synced")
      problems.push({
        severity: "warning",
        message: `${l.name} is ${w.state}${/Donor|Desynced/.test(w.state) ? ": it is giving a state transfer or a backup" : ": it is catching up"}`,
        fix: "Wait: the reader endpoint leaves it out until it is Synced again",
      });
    if (w.flowControlPaused > FLOW_CONTROL_WARN)
      problems.push({
        severity: "warning",
        message: `Flow control paused replication ${Math.round(w.flowControlPaused * 100)}% of the time on ${l.name}: the cluster writes only as fast as its slowest member`,
        fix: "Look for a slow member (receive queue, disk); give it more memory or wsrep_slave_threads",
      });
  }
  const state = !primary.length ? "down" : problems.length ? "degraded" : "healthy";
  return { state, primarySize, problems };
}
