import fs from "node:fs";
import path from "node:path";

/**
 * Which console serves a data dir: `<data dir>/console.pid` holds the pid and the process's start time (field 22
 * of /proc/PID/stat), so a recycled pid is never taken for the console. Reset and restore refuse to pull a store
 * from under a running console, which would restart the servers they stop and write into what they delete.
 */
const lockFile = (dir: string) => path.join(dir, "console.pid");

function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? null : fields[19];
  } catch {
    return null;
  }
}

/** The pid of the live console serving `dir`, or null. */
export function consoleServing(dir: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(lockFile(dir), "utf8");
  } catch {
    return null;
  }
  const [pid, started] = text.trim().split(" ");
  const n = Number(pid);
  return Number.isInteger(n) && n > 1 && startTime(n) === started ? n : null;
}

/** Marks `dir` as served by this process (released on exit); refuses when another live console serves it. */
export function claimDataDir(dir: string) {
  const other = consoleServing(dir);
  if (other !== null && other !== process.pid)
    throw new Error(`Another Mariner console (pid ${other}) already serves ${dir}: stop it first`);
  fs.writeFileSync(lockFile(dir), `${process.pid} ${startTime(process.pid)}\n`, { mode: 0o600 });
  process.once("exit", () => {
    if (consoleServing(dir) === process.pid) fs.rmSync(lockFile(dir), { force: true });
  });
}

/** Stops the console serving `dir` (SIGTERM, then SIGKILL after `graceMs`) and waits until it has exited. */
export async function stopConsole(dir: string, graceMs = 15_000): Promise<number | null> {
  const pid = consoleServing(dir);
  if (pid === null) return null;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (consoleServing(dir) === pid && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (consoleServing(dir) === pid) process.kill(pid, "SIGKILL");
  const gone = Date.now() + 10_000;
  while (startTime(pid) !== null && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  return pid;
}
