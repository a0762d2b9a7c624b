import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/**
 * Which console serves a data dir. The proof is a lock the kernel holds for the console's process
 * (`console.lock`, an SQLite file held in EXCLUSIVE mode: an fcntl lock, seen across containers sharing the volume
 * and released however the process ends, SIGKILL and out-of-memory included). `console.pid` beside it says who
 * holds it: pid, /proc start time, pid namespace, boot id, so that a console is signalled only when it is in this
 * namespace and its pid has not been reused. Reset and restore refuse to pull a store from under it.
 */
const lockFile = (dir: string) => path.join(dir, "console.lock");
const pidFile = (dir: string) => path.join(dir, "console.pid");
const g = globalThis as unknown as { marinerConsoleLock?: { dir: string; db: Database.Database } };

function readProc(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function startTime(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[0] === "Z" || fields[0] === "X" ? null : fields[19];
}

function pidNamespace(): string {
  try {
    return fs.readlinkSync("/proc/self/ns/pid");
  } catch {
    return "unknown";
  }
}

/** Is the lock held by a live process (this one included)? */
function lockHeld(dir: string): boolean {
  if (!fs.existsSync(lockFile(dir))) return false;
  const probe = new Database(lockFile(dir), { timeout: 0 });
  try {
    probe.exec("BEGIN EXCLUSIVE");
    probe.exec("ROLLBACK");
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === "SQLITE_BUSY") return true;
    throw e;
  } finally {
    probe.close();
  }
}

export interface ServingConsole {
  pid: number;
  /** False when it runs in another pid namespace (a container): its pid means nothing here. */
  here: boolean;
}

/** The live console serving `dir`, or null. */
export function consoleServing(dir: string): ServingConsole | null {
  if (!lockHeld(dir)) return null;
  const [pid, started, namespace] = (readProc(pidFile(dir)) ?? "").trim().split(" ");
  const n = Number(pid) || 0;
  const here = n > 1 && namespace === pidNamespace() && started !== undefined && startTime(n) === started;
  return { pid: n, here };
}

/** Takes the lock on `dir` for this process (held until it exits); refuses when another console holds it. */
export function claimDataDir(dir: string) {
  if (g.marinerConsoleLock?.dir === dir) return;
  const other = consoleServing(dir);
  if (other) throw new Error(`Another Mariner console ${describe(other)} already serves ${dir}: stop it first`);
  const db = new Database(lockFile(dir));
  db.pragma("locking_mode = EXCLUSIVE");
  db.exec("BEGIN EXCLUSIVE");
  g.marinerConsoleLock = { dir, db };
  fs.writeFileSync(pidFile(dir), `${process.pid} ${startTime(process.pid)} ${pidNamespace()}\n`, { mode: 0o600 });
}

const describe = (c: ServingConsole) =>
  c.here ? `(pid ${c.pid})` : `(in another container${c.pid ? `, its pid ${c.pid}` : ""})`;

/** How to say that a console serves `dir`, with what to do. */
export function servingMessage(dir: string, c: ServingConsole): string {
  return c.here
    ? `A Mariner console (pid ${c.pid}) is serving ${dir}`
    : `A Mariner console ${describe(c)} is serving ${dir}: stop it there (docker-compose stop)`;
}

/** Stops the console serving `dir` (SIGTERM, then SIGKILL after `graceMs`) and waits until it has exited. */
export async function stopConsole(dir: string, graceMs = 15_000): Promise<number | null> {
  const serving = consoleServing(dir);
  if (serving === null) return null;
  if (!serving.here) throw new Error(servingMessage(dir, serving));
  const { pid } = serving;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (lockHeld(dir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (lockHeld(dir) && startTime(pid) !== null) process.kill(pid, "SIGKILL");
  const gone = Date.now() + 10_000;
  while ((lockHeld(dir) || startTime(pid) !== null) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  return pid;
}
