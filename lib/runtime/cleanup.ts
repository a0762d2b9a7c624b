import fs from "node:fs";
import path from "node:path";
import { nodesDirFor } from "@/lib/paths";
import { nodeLayout } from "./layout";
import { isOurProcess, listedPidsRunning, readPidFile } from "./process";

/**
 * Stops every mariadbd whose node directory lives under `dataDir` (by pid file, verified against the
 * process's own command line): test teardown and `npm run reset` never touch servers that are not ours.
 */
export async function stopNodesUnder(dataDir: string): Promise<number[]> {
  stopProxiesUnder(dataDir);
  const nodes = nodesDirFor(path.resolve(dataDir));
  if (!fs.existsSync(nodes)) return [];
  const running: { pid: number; cnf: string }[] = [];
  for (const entry of fs.readdirSync(nodes)) {
    const l = nodeLayout(path.join(nodes, entry));
    const pid = readPidFile(l.pidFile);
    if (pid !== null && isOurProcess(pid, l.cnf)) {
      process.kill(pid, "SIGTERM");
      running.push({ pid, cnf: l.cnf });
    }
  }
  const deadline = Date.now() + 30_000;
  for (const { pid, cnf } of running) {
    while (isOurProcess(pid, cnf) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isOurProcess(pid, cnf)) process.kill(pid, "SIGKILL");
  }
  // Until every one has exited: a server still shutting down writes into the directory about to be deleted.
  for (const { pid, cnf } of running)
    while (isOurProcess(pid, cnf) && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
  return running.map((r) => r.pid);
}

/** HAProxy processes of the endpoints under `dataDir` (pid files, verified by their own config path). */
export function stopProxiesUnder(dataDir: string): number[] {
  const dir = path.join(dataDir, "proxies");
  if (!fs.existsSync(dir)) return [];
  const stopped: number[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".cfg"))) {
    const cfg = path.join(dir, f);
    const pidFile = cfg.replace(/\.cfg$/, ".pid");
    for (const pid of listedPidsRunning(pidFile, cfg)) {
      try {
        process.kill(pid, "SIGTERM");
        stopped.push(pid);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return stopped;
}
