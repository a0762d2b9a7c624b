import fs from "node:fs";

/**
 * Is `pid` a live mariadbd started with this node's my.cnf? Checked through /proc so a recycled pid
 * belonging to someone else's process is never mistaken for ours (and never signalled).
 */
export function isOurProcess(pid: number | null | undefined, cnf: string): boolean {
  if (!pid || pid <= 1) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.includes(`--defaults-file=${cnf}`);
  } catch {
    return false;
  }
}

/** Processes started with exactly this node's my.cnf (unique per node, so never anyone else's server). */
export function serverPidsFor(cnf: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => isOurProcess(pid, cnf));
}

export function readPidFile(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}
