import type { EnvironmentWithNodes } from "@/lib/environments/service";
import type { Topology, TopologyNode } from "./discover";

// What the fleet map and the grouped environment list show: servers with their role and health, links with their
// state, and clusters (servers joined by replication). Pure: computed from one discovery, no I/O.

export type Role = "master" | "intermediate" | "slave" | "multi-source" | "standalone" | "unknown";

export interface MapServer {
  /** Unique on the map: names are unique per owner only, and an admin sees every owner's. */
  id: string;
  name: string;
  /** The viewer's own: only those can be dragged or moved from the map. */
  mine: boolean;
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
  /** Id of the cluster's first root: every server joined by replication shares it. */
  cluster: string;
}

export interface MapLink {
  /** Server ids (`source` may be an outside host:port that is no server of the map). */
  source: string;
  target: string;
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
  const mine = topology.edges.filter((e) => e.ownerId === n.ownerId);
  const feeds = mine.some((e) => e.from === n.name);
  const incoming = mine.filter((e) => e.to === n.name).length;
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
  for (const l of links) if (parent.has(l.source) && parent.has(l.target)) parent.set(find(l.target), find(l.source));
  const members = new Map<string, string[]>();
  for (const n of names) members.set(find(n), [...(members.get(find(n)) ?? []), n]);
  const label = new Map<string, string>();
  for (const group of members.values()) {
    const root = group.find((n) => !links.some((l) => l.target === n && group.includes(l.source))) ?? group[0];
    for (const n of group) label.set(n, root);
  }
  return label;
}

const idOf = (ownerId: string, name: string) => `${ownerId}/${name}`;

export function fleetMap(
  topology: Topology,
  envs: EnvironmentWithNodes[],
  ownerEmail: Map<string, string>,
  viewerId: string,
): FleetMap {
  const envOf = new Map(envs.map((e) => [idOf(e.ownerId, e.name), e]));
  const links: MapLink[] = topology.edges.map((e) => ({
    source: idOf(e.ownerId, e.from),
    target: idOf(e.ownerId, e.to),
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
    const last = envOf.get(idOf(n.ownerId, n.name))?.observedMaster;
    if (n.facts || !last || !envOf.has(idOf(n.ownerId, last))) continue;
    links.push({
      source: idOf(n.ownerId, last),
      target: idOf(n.ownerId, n.name),
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
    topology.nodes.map((n) => idOf(n.ownerId, n.name)),
    links,
  );
  const servers = topology.nodes.map((n): MapServer => {
    const id = idOf(n.ownerId, n.name);
    const env = envOf.get(id);
    const incoming = topology.edges.filter((e) => e.to === n.name && e.ownerId === n.ownerId);
    return {
      id,
      name: n.name,
      mine: n.ownerId === viewerId,
      owner: ownerEmail.get(n.ownerId) ?? "",
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
      cluster: cluster.get(id) ?? id,
    };
  });
  const ageSeconds = Math.max(0, Math.round((Date.now() - topology.observedAt) / 1000));
  return { servers, links, observedAt: topology.observedAt, ageSeconds };
}
