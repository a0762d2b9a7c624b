import fs from "node:fs";
import path from "node:path";
import { ensureAdmin } from "@/lib/auth/users";
import { claimDataDir } from "@/lib/console-lock";
import { dataDir, ensureDataDir } from "@/lib/paths";
import { loadDockerHosts } from "@/lib/runtime/hosts";
import { db } from "@/lib/db/client";
import { reconcile, startMonitor } from "@/lib/monitoring/watch";
import { startSampler } from "@/lib/monitoring/sampler";

/** Console start-up: migrate (db() does it), stale upload files, first admin, reconcile nodes, the monitor. */
export async function boot(): Promise<void> {
  claimDataDir(ensureDataDir());
  db();
  // Uploads and exports in flight when the console stopped: nothing can resume them, nothing else reads them.
  for (const dir of ["imports", "exports"]) fs.rmSync(path.join(dataDir(), dir), { recursive: true, force: true });
  await ensureAdmin();
  await loadDockerHosts().catch((e) => console.error("Mariner: Docker hosts:", (e as Error).message));
  await reconcile();
  if (process.env.MARINER_MONITOR !== "off") {
    startMonitor();
    startSampler();
  }
}
