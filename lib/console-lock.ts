import fs from "node:fs";
import path from "node:path";

/**
 * Which console serves a data dir: `<data dir>/console.pid` holds the pid, the process's start time (field 22 of
 * /proc/PID/stat, so a recycled pid is never taken for the console), its pid namespace and the boot id. Reset and
 * restore refuse to pull a store from under a running console, which would restart the servers they stop and
 * write into what they delete. A console in another pid namespace (a container sharing the data dir) cannot be
 * checked from here: it counts as running, and is never signalled.
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

const pidNamespace = () => fs.readlinkSync("/proc/self/ns/pid");
const bootId = () => fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

export interface ServingConsole {
  pid: number;
  /** False when it runs in another pid namespace: its pid means nothing here. */
  here: boolean;
}

/** The live console serving `dir`, or null. */
export function consoleServing(dir: string): ServingConsole | null {
  let text: string;
  try {
    text = fs.readFileSync(lockFile(dir), "utf8");
  } catch {
    return null;
  }
  const [pid, started, namespace, boot] = text.trim().split(" ");
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 1) return null;
  if (boot && boot !== bootId()) return null; // written before the machine last started
  if (namespace && namespace !== pidNamespace()) return { pid: n, here: false };
  return startTime(n) === started ? { pid: n, here: true } : null;
}

/** Marks `dir` as served by this process (released on exit); refuses when another live console serves it. */
export function claimDataDir(dir: string) {
  const other = consoleServing(dir);
  if (other && !(other.here && other.pid === process.pid))
    throw new Error(
      `Another Mariner console (pid ${other.pid}${other.here ? "" : ", in another container"}) already serves ${dir}: ` +
        `stop it first${other.here ? "" : `, or remove ${lockFile(dir)} if none runs`}`,
    );
  fs.writeFileSync(lockFile(dir), `${process.pid} ${startTime(process.pid)} ${pidNamespace()} ${bootId()}\n`, {
    mode: 0o600,
  });
  process.once("exit", () => {
    const holder = consoleServing(dir);
    if (holder?.here && holder.pid === process.pid) fs.rmSync(lockFile(dir), { force: true });
  });
}

/** How to say that a console serves `dir`, with what to do. */
export function servingMessage(dir: string, c: ServingConsole): string {
  return c.here
    ? `A Mariner console (pid ${c.pid}) is serving ${dir}`
    : `A Mariner console in another container (its pid ${c.pid}) is serving ${dir}: stop it there (docker-compose stop), or remove ${lockFile(dir)} if none runs`;
}

/** Stops the console serving `dir` (SIGTERM, then SIGKILL after `graceMs`) and waits until it has exited. */
export async function stopConsole(dir: string, graceMs = 15_000): Promise<number | null> {
  const serving = consoleServing(dir);
  if (serving === null) return null;
  if (!serving.here) throw new Error(servingMessage(dir, serving));
  const { pid } = serving;
  const stillThere = () => consoleServing(dir)?.pid === pid;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (stillThere() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (stillThere()) process.kill(pid, "SIGKILL");
  const gone = Date.now() + 10_000;
  while (startTime(pid) !== null && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  return pid;
}
