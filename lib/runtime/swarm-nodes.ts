// A registered Swarm's nodes as the Hosts page lists them: the manager's view of each node, the servers this
// console placed there, and whether the image is on it (asked by a one-shot task on every node, not guessed).
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { driverFor, swarmNames } from "./index";
import { sleep } from "./readiness";
import { storedRuntime } from "./runtime";
import type { SwarmDriver } from "./swarm";
import { tasksOf } from "./swarm-cluster";

const g = globalThis as unknown as { marinerSwarmImages?: Map<string, { at: Date; byNode: Record<string, string> }> };
const imageChecks = (g.marinerSwarmImages ??= new Map());

const driverOf = (name: string) => driverFor({ kind: "swarm", cluster: name }) as SwarmDriver;

export async function swarmNodesOf(name: string) {
  const nodes = await driverOf(name)
    .nodes()
    .catch(() => []);
  const servers = await db().node.findMany({
    where: { environment: { runtime: storedRuntime({ kind: "swarm", cluster: name }) } },
    select: { host: true },
  });
  const check = imageChecks.get(name);
  return nodes.map((n) => ({
    ...n,
    servers: servers.filter((s) => s.host === n.address).length,
    image: check ? (check.byNode[n.id] ?? "not checked") : "not checked",
  }));
}

/**
 * Runs the image once on every node (a global job, nothing pulled): "present" where it ran, the engine's error
 * where it could not ("No such image" on a node that lacks it).
 */
export async function checkSwarmImages(actor: Actor, name: string) {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can manage Docker hosts");
  if (!swarmNames().includes(name)) throw new ServiceError(404, "not_found", `Swarm "${name}" not found`);
  const driver = driverOf(name);
  const docker = driver.manager;
  const image = driver.swarm.image ?? "mariner/mariadb:10.11";
  const { id } = (await docker.createService({
    Name: `mariner-image-check-${Date.now().toString(36)}`,
    Labels: { "mariner.console": "1", "mariner.wipe": "image-check" },
    TaskTemplate: {
      ContainerSpec: { Image: image, Command: ["true"], CapabilityDrop: ["ALL"] },
      RestartPolicy: { Condition: "none" },
      Networks: [{ Target: "host" }],
    },
    Mode: { GlobalJob: {} },
  } as never)) as { id: string };
  const byNode: Record<string, string> = {};
  try {
    const deadline = Date.now() + 20_000;
    const nodes = await driver.nodes();
    const ready = nodes.filter((n) => n.state === "ready" && n.availability === "active");
    while (Date.now() < deadline) {
      for (const t of await tasksOf(docker, id))
        if (t.state === "complete") byNode[t.nodeId] = "present";
        else if (["failed", "rejected"].includes(t.state)) byNode[t.nodeId] = t.error || t.state;
      if (ready.every((n) => byNode[n.id])) break;
      await sleep(200);
    }
    for (const n of nodes) byNode[n.id] ??= n.state === "ready" ? "no answer" : `node ${n.state}`;
  } finally {
    await docker
      .getService(id)
      .remove()
      .catch(() => undefined);
  }
  imageChecks.set(name, { at: new Date(), byNode });
  return byNode;
}
