import { ensureAdmin } from "@/lib/auth/users";
import { loadDockerHosts } from "@/lib/runtime/hosts";
import { db } from "@/lib/db/client";
import { reconcile, startMonitor } from "@/lib/monitoring/watch";
import { startSampler } from "@/lib/monitoring/sampler";

/** Console start-up: migrate (db() does it), first admin, reconcile nodes, start the liveness monitor. */
export async function boot(): Promise<void> {
  db();
  await ensureAdmin();
  await loadDockerHosts().catch((e) => console.error("Mariner: Docker hosts:", (e as Error).message));
  await reconcile();
  if (process.env.MARINER_MONITOR !== "off") {
    startMonitor();
    startSampler();
  }
}
