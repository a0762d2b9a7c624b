import { lastLooks } from "@/lib/topology/observed";
import { healthOf } from "./groups";
import type { EnvironmentWithNodes } from "./lookup";

/** The header's at-a-glance counts: from stored statuses and the monitor's last looks (no login to any server). */
export function fleetSummary(envs: EnvironmentWithNodes[]) {
  const looks = lastLooks(envs, 60_000);
  const health = envs.map((e) => healthOf(e, looks.get(e.id)).level);
  return {
    running: envs.filter((e) => e.status === "running").length,
    down: health.filter((h) => h === "down").length,
    replicationProblems: health.filter((h) => h === "warning").length,
  };
}
