// Cleaning up on a Swarm through its manager only: a one-shot task empties a deleted server's volume on its node
// (the API cannot remove a volume on another node), and services/objects with no row behind them are removed.
import type Docker from "dockerode";
import { sleep } from "./readiness";
import { tasksOf } from "./swarm-cluster";
import { removeObjects } from "./swarm-objects";
import { wipeTemplate } from "./swarm-service";

const WIPE_TIMEOUT_MS = 20_000;
const STALE_MS = 5 * 60_000;

/**
 * Runs `rm -rf` of the server's directory as a job on its node and waits for it. A node that is down cannot run
 * it: then the data stays on that machine and the returned reason says so.
 */
export async function wipeVolume(docker: Docker, image: string, nodeId: string, swarmNodeId: string) {
  const { id } = (await docker.createService({
    Name: `mariner-wipe-${nodeId}`,
    Labels: { "mariner.wipe": nodeId, "mariner.console": "1" },
    TaskTemplate: wipeTemplate(nodeId, swarmNodeId, image),
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  } as never)) as { id: string };
  try {
    const deadline = Date.now() + WIPE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const [task] = await tasksOf(docker, id);
      if (task?.state === "complete") return null;
      if (task && ["failed", "rejected"].includes(task.state)) return `wiping the volume failed: ${task.error}`;
      await sleep(200);
    }
    return `node ${swarmNodeId} did not run the wipe within ${WIPE_TIMEOUT_MS / 1000} s: the volume stays there`;
  } finally {
    await docker
      .getService(id)
      .remove()
      .catch(() => undefined);
  }
}

/**
 * Services, configs and secrets of retired nodes (see retired.ts), and one-shot wipe jobs left over: removed.
 * A service no retired id names is left alone (another console's, or made after this store's backup).
 */
export async function swarmOrphans(
  docker: Docker,
  retiredNodeIds: Set<string>,
): Promise<{ removed: string[]; gone: Set<string> }> {
  const services = await docker.listServices({ filters: { label: ["mariner.console=1"] } });
  const removed: string[] = [];
  for (const s of services) {
    const labels = s.Spec?.Labels ?? {};
    const nodeId = labels["mariner.node"];
    if (nodeId ? !retiredNodeIds.has(nodeId) : !labels["mariner.wipe"]) continue;
    // A wipe job old enough only: a recent one may still be waited for.
    if (!nodeId && Date.now() - (Date.parse(s.CreatedAt ?? "") || 0) < STALE_MS) continue;
    await docker
      .getService(s.ID)
      .remove()
      .catch(() => undefined);
    if (nodeId) removed.push(nodeId);
  }
  const mine = { filters: { label: ["mariner.console=1"] } };
  const objects = [...(await docker.listConfigs(mine)), ...(await docker.listSecrets(mine))];
  for (const nodeId of new Set(objects.map((o) => o.Spec?.Labels?.["mariner.node"]).filter(Boolean) as string[]))
    if (retiredNodeIds.has(nodeId)) await removeObjects(docker, nodeId);
  // Removals above may fail quietly (a task still holding a config): only what is really gone is done with.
  const left = new Set(
    [
      ...(await docker.listServices({ filters: { label: ["mariner.console=1"] } })).map((x) => x.Spec?.Labels),
      ...[...(await docker.listConfigs(mine)), ...(await docker.listSecrets(mine))].map((o) => o.Spec?.Labels),
    ].map((labels) => labels?.["mariner.node"]),
  );
  return { removed, gone: new Set([...retiredNodeIds].filter((id) => !left.has(id))) };
}
