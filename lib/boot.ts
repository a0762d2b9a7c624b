import fs from "node:fs";
import path from "node:path";
import { ensureAdmin } from "@/lib/auth/users";
import { claimDataDir } from "@/lib/console-lock";
import { ensureSecretKey } from "@/lib/secrets";
import { RESTORE_MARKER } from "@/lib/console-state/files";
import { dataDir, ensureDataDir } from "@/lib/paths";
import { loadDockerHosts } from "@/lib/runtime/hosts";
import { db } from "@/lib/db/client";
import { reconcile, startMonitor } from "@/lib/monitoring/watch";
import { startSampler } from "@/lib/monitoring/sampler";
import { startArchiver } from "@/lib/backups/binlog-archive";

/** Console start-up: migrate (db() does it), stale upload files, first admin, reconcile nodes, the monitor. */
export async function boot(): Promise<void> {
  const dir = ensureDataDir();
  // The lock first, then the marker: a restore writes its marker before it checks the lock.
  claimDataDir(dir);
  if (fs.existsSync(path.join(dir, RESTORE_MARKER)))
    throw new Error(
      `A console restore into ${dir} did not finish: run npm run console:restore -- FILE --replace again`,
    );
  ensureSecretKey();
  db();
  // Uploads and exports in flight when the console stopped: nothing can resume them, nothing else reads them.
  for (const dir of ["imports", "exports"]) fs.rmSync(path.join(dataDir(), dir), { recursive: true, force: true });
  await ensureAdmin();
  await loadDockerHosts().catch((e) => console.error("Mariner: Docker hosts:", (e as Error).message));
  await reconcile();
  if (process.env.MARINER_MONITOR !== "off") {
    startMonitor();
    startSampler();
    startArchiver();
  }
}
