import type { EnvironmentWithNodes } from "@/lib/environments/service";
import type { Topology, TopologyNode } from "./discover";

// What the fleet map and the grouped environment list show: servers with their role and health, links with their
// state, and clusters (servers joined by replication). Pure: computed from one discovery, no I/O.

export type Role = "master" | "intermediate" | "slave" | "multi-source" | "standalone" | "unknown";

export interface MapServer {
  name: string;
  owner: string;
  runtime: string;
  host: string;
  port: number;
  status: string;
  role: Role;
  serverId: number | null;
  /** Seconds behind its default source (null: not a slave, or unknown). */
  lag: number | null;
  tls: boolean;
  semiSync: "semi-sync" | "semi-sync fallen back" | "semi-sync slave" | null;
  autoFailover: boolean;
  /** Its default connection's source, which a move changes; null when it replicates from no one. */
  master: string | null;
  problems: string[];
  /** Name of the cluster's first root: every server joined by replication shares it. */
  cluster: string;
}

export interface MapLink {
  from: string;
  to: string;
  connection: string;
  /** running | connecting | stopped | error | not-configured, or "last seen" for a stopped server's old source. */
  state: string;
  lag: number | null;
  filtered: boolean;
  tls: boolean;
  problems: string[];
}

export interface FleetMap {
  servers: MapServer[];
  links: MapLink[];
  observedAt: number;
  /** How old the oldest fact shown was when the map was made. */
  ageSeconds: number;
}

function semiSyncOf(n: TopologyNode): MapServer["semiSync"] {
  const s = n.facts?.semiSync;
  if (!s) return null;
  if (s.masterEnabled && s.clients > 0 && s.masterActive) return "semi-sync";
  if (s.masterEnabled && !n.master) return "semi-sync fallen back";
  return s.slaveActive ? "semi-sync slave" : null;
}

function roleOf(n: TopologyNode, topology: Topology): Role {
  if (!n.facts) return "unknown";
  const feeds = topology.edges.some((e) => e.from === n.name);
  const incoming = topology.edges.filter((e) => e.to === n.name).length;
  if (!incoming) return feeds ? "master" : "standalone";
  if (incoming > 1) return "multi-source";
  return feeds ? "intermediate" : "slave";
}

/** Servers joined by any link share a cluster, named after its first root (a server replicating from no one). */
function clustersOf(names: string[], links: MapLink[]): Map<string, string> {
  const parent = new Map(names.map((n) => [n, n]));
  const find = (n: string): string => {
    const p = parent.get(n)!;
    if (p === n) return n;
    const root = find(p);
    parent.set(n, root);
    return root;
  };
  for (const l of links) if (parent.has(l.from) && parent.has(l.to)) parent.set(find(l.to), find(l.from));
  const members = new Map<string, string[]>();
  for (const n of names) members.set(find(n), [...(members.get(find(n)) ?? []), n]);
  const label = new Map<string, string>();
  for (const group of members.values()) {
    const root = group.find((n) => !links.some((l) => l.to === n && group.includes(l.from))) ?? group[0];
    for (const n of group) label.set(n, root);
  }
  return label;
}

export function fleetMap(topology: Topology, envs: EnvironmentWithNodes[], ownerEmail: Map<string, string>): FleetMap {
  const envOf = new Map(envs.map((e) => [e.name, e]));
  const links: MapLink[] = topology.edges.map((e) => ({
    from: e.from,
    to: e.to,
    connection: e.connection,
    state: e.health.state,
    lag: e.secondsBehind,
    filtered: Object.keys(e.filters).length > 0,
    tls: e.health.state !== "not-configured" && e.tls,
    problems: e.problems,
  }));
  // A stopped slave still belongs to its cluster: drawn from what it replicated from when last seen.
  for (const n of topology.nodes) {
    const last = envOf.get(n.name)?.observedMaster;
    if (n.facts || !last || !envOf.has(last)) continue;
    links.push({
      from: last,
      to: n.name,
      connection: "",
      state: "last seen",
      lag: null,
      filtered: false,
      tls: false,
      problems: [],
    });
  }
  const cluster = clustersOf(
    topology.nodes.map((n) => n.name),
    links,
  );
  const servers = topology.nodes.map((n): MapServer => {
    const env = envOf.get(n.name);
    const incoming = topology.edges.filter((e) => e.to === n.name);
    return {
      name: n.name,
      owner: (env && ownerEmail.get(env.ownerId)) ?? "",
      runtime: env?.runtime ?? "local",
      host: n.host,
      port: n.port,
      status: n.status,
      role: roleOf(n, topology),
      serverId: n.facts?.serverId ?? null,
      lag: incoming.find((e) => e.connection === "")?.secondsBehind ?? null,
      tls: n.facts?.tls ?? false,
      semiSync: semiSyncOf(n),
      autoFailover: n.autoFailover,
      master: n.facts?.slave ? n.master : null,
      problems: [...n.problems, ...incoming.flatMap((e) => e.problems)],
      cluster: cluster.get(n.name) ?? n.name,
    };
  });
  const ageSeconds = Math.max(0, Math.round((Date.now() - topology.observedAt) / 1000));
  return { servers, links, observedAt: topology.observedAt, ageSeconds };
}
