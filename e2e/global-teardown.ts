import { stopNodesUnder } from "../lib/runtime/cleanup";
import { E2E_DATA_DIR } from "../playwright.config";

/** Servers are detached from the console on purpose; tests stop the ones they started, by pid. */
export default async function globalTeardown() {
  const stopped = await stopNodesUnder(E2E_DATA_DIR);
  if (stopped.length) console.log(`e2e teardown: stopped leftover mariadbd pids ${stopped.join(", ")}`);
}
