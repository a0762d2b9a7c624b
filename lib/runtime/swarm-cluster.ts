// What a Swarm manager says about its cluster: its nodes (for the Hosts page and placement), a service's tasks
// and their logs. Placement itself is a pure choice over the node list (unit-tested).
import type Docker from "dockerode";
import { RuntimeError } from "./driver";

export interface SwarmNode {
  id: string;
  hostname: string;
  role: string;
  availability: string;
  state: string;
  address: string;
  labels: Record<string, string>;
  engineVersion: string;
  leader: boolean;
}

export async function swarmNodes(docker: Docker): Promise<SwarmNode[]> {
  const nodes = await docker.listNodes();
  return nodes
    .map((n) => ({
      id: n.ID as string,
      hostname: n.Description?.Hostname ?? "",
      role: n.Spec?.Role ?? "",
      availability: n.Spec?.Availability ?? "",
      state: n.Status?.State ?? "unknown",
      // A manager reports 0.0.0.0 for itself on some versions: its manager address is the real one.
      address:
        n.Status?.Addr && n.Status.Addr !== "0.0.0.0"
          ? n.Status.Addr
          : (n.ManagerStatus?.Addr ?? "").replace(/:\d+$/, ""),
      labels: (n.Spec?.Labels ?? {}) as Record<string, string>,
      engineVersion: n.Description?.Engine?.EngineVersion ?? "",
      leader: Boolean(n.ManagerStatus?.Leader),
    }))
    .sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }));
}

/** "disk=ssd" → the node carries that label with that value. */
export function hasLabel(node: SwarmNode, label: string | null | undefined): boolean {
  if (!label) return true;
  const [key, value = ""] = label.split("=", 2);
  return node.labels[key] === value;
}

export const usable = (n: SwarmNode) => n.state === "ready" && n.availability === "active";

export interface NodeChoice {
  /** Addresses of servers this one should not share a node with (its master, its siblings). */
  avoid?: string[];
  /** A node label every server of the topology requires (e.g. "disk=ssd"). */
  label?: string | null;
  /** Servers already on each address. */
  load: Map<string, number>;
}

/**
 * A ready, active node carrying the label, away from `avoid` when any such node exists (a slave apart from its
 * master and siblings), then the least loaded. Drained and down nodes are never chosen.
 */
export function chooseNode(nodes: SwarmNode[], choice: NodeChoice): SwarmNode {
  const fit = nodes.filter((n) => usable(n) && hasLabel(n, choice.label));
  if (!fit.length) {
    // Counts, not addresses: the tenant asking learns why, not the layout of the cluster.
    const why = choice.label ? ` with the label ${choice.label}` : "";
    const count = (p: (n: SwarmNode) => boolean) => nodes.filter(p).length;
    const states = [
      `${count((n) => n.state !== "ready")} not ready`,
      `${count((n) => n.state === "ready" && n.availability !== "active")} drained or paused`,
      ...(choice.label ? [`${count((n) => usable(n) && !hasLabel(n, choice.label))} without the label`] : []),
    ];
    throw new RuntimeError(`No Swarm node${why} is ready and active (${nodes.length} nodes: ${states.join(", ")})`);
  }
  const avoid = new Set(choice.avoid ?? []);
  const apart = fit.filter((n) => !avoid.has(n.address));
  const load = (n: SwarmNode) => choice.load.get(n.address) ?? 0;
  return (apart.length ? apart : fit).sort((a, b) => load(a) - load(b) || a.address.localeCompare(b.address))[0];
}

export interface TaskView {
  id: string;
  state: string;
  desired: string;
  error: string;
  createdAt: number;
  nodeId: string;
}

/** A service's tasks, newest first. */
export async function tasksOf(docker: Docker, serviceId: string): Promise<TaskView[]> {
  const tasks = await docker.listTasks({ filters: { service: [serviceId] } });
  return tasks
    .map((t) => ({
      id: t.ID as string,
      state: t.Status?.State ?? "unknown",
      desired: t.DesiredState ?? "",
      error: t.Status?.Err ?? "",
      createdAt: Date.parse(t.CreatedAt ?? "") || 0,
      nodeId: t.NodeID ?? "",
    }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

export const TASK_ENDED = new Set(["failed", "rejected", "shutdown", "complete", "orphaned", "remove"]);

/** The text of a multiplexed log answer (8-byte frame headers), or of a plain one. */
export function demuxLogs(data: Buffer | string): string {
  const buf = typeof data === "string" ? Buffer.from(data, "binary") : data;
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && buf[i] <= 2 && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? buf.toString("utf8") : Buffer.concat(out).toString("utf8");
}

/** The last `tail` lines a task (or, without a task, the whole service) wrote to stdout/stderr. */
export async function logsOf(docker: Docker, ref: { serviceId: string; taskId?: string }, tail = 200) {
  const opts = { stdout: true, stderr: true, tail, follow: false } as const;
  const data = ref.taskId
    ? await (docker.getTask(ref.taskId) as unknown as { logs(o: typeof opts): Promise<Buffer> }).logs(opts)
    : await docker.getService(ref.serviceId).logs(opts);
  return demuxLogs(data as unknown as Buffer)
    .split("\n")
    .filter(Boolean);
}
