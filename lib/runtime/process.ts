import fs from "node:fs";
import path from "node:path";
import { tailNodeFile } from "./node-files";

/**
 * Is `pid` alive and started with exactly this argument (a path unique to one server or proxy)? Checked through
 * /proc so a recycled pid belonging to someone else's process is never mistaken for ours (and never signalled).
 */
export function runsWithArgument(pid: number | null | undefined, argument: string): boolean {
  if (!pid || pid <= 1) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(argument);
  } catch {
    return false;
  }
}

/** Is `pid` a live mariadbd started with this node's my.cnf? */
export const isOurProcess = (pid: number | null | undefined, cnf: string) =>
  runsWithArgument(pid, `--defaults-file=${cnf}`);

/** The pids a pid file lists that still run with `argument` (e.g. HAProxy with its own config path). */
export function listedPidsRunning(pidFile: string, argument: string): number[] {
  const listed = fs.existsSync(pidFile)
    ? fs.readFileSync(pidFile, "utf8").split(/\s+/).filter(Boolean).map(Number)
    : [];
  return listed.filter((pid) => runsWithArgument(pid, argument));
}

/** Processes started with exactly this node's my.cnf (unique per node, so never anyone else's server). */
export function serverPidsFor(cnf: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => isOurProcess(pid, cnf));
}

/** The pid a server wrote; read like every node file (no links, no FIFOs, a few bytes at most). */
export function readPidFile(file: string): number | null {
  try {
    const pid = Number.parseInt(tailNodeFile(path.dirname(file), file, 32).trim(), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Every process still running as `uid` (a server's identity is its own: nothing else of ours runs as it). */
export function killProcessesOf(uid: number): number[] {
  const killed: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, "utf8"));
      if (m && Number(m[1]) === uid) {
        process.kill(Number(entry), "SIGKILL");
        killed.push(Number(entry));
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return killed;
}
