import type { Actor } from "@/lib/auth/actor";
import { asRoot } from "@/lib/environments/root";
import { listEnvironments, type EnvironmentWithNodes } from "@/lib/environments/service";
import { explainSlave, type SlaveHealth } from "@/lib/mariadb/health";
import { slaveStatus, type SlaveStatusRow } from "@/lib/mariadb/replication";

export const LAG_THRESHOLD_SECONDS = 30;

export interface ServerFacts {
  serverId: number;
  readOnly: boolean;
  logBin: boolean;
  logSlaveUpdates: boolean;
  binlogFormat: string;
  gtidCurrentPos: string;
  gtidBinlogPos: string;
  gtidSlavePos: string;
  slaveSkipErrors: string;
  slave: SlaveStatusRow | null;
}

export interface TopologyNode {
  name: string;
  host: string;
  port: number;
  status: string;
  autoFailover: boolean;
  facts: ServerFacts | null;
  /** Name of the environment it replicates from, or an outside host:port, or null. */
  master: string | null;
  problems: string[];
}

export interface TopologyEdge {
  from: string;
  to: string;
  health: SlaveHealth;
  secondsBehind: number | null;
  filters: Record<string, string>;
  problems: string[];
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export async function serverFacts(env: EnvironmentWithNodes): Promise<ServerFacts> {
  return asRoot(env, async (c) => {
    const [rows] = await c.query(
      "SELECT @@server_id AS sid, @@read_only AS ro, @@log_bin AS lb, @@log_slave_updates AS lsu, @@binlog_format AS bf, @@gtid_current_pos AS cur, @@gtid_binlog_pos AS bin, @@gtid_slave_pos AS slp, @@slave_skip_errors AS sse",
    );
    const r = (rows as Record<string, unknown>[])[0];
    return {
      serverId: Number(r.sid),
      readOnly: Number(r.ro) === 1,
      logBin: Number(r.lb) === 1,
      logSlaveUpdates: Number(r.lsu) === 1,
      binlogFormat: String(r.bf),
      gtidCurrentPos: String(r.cur ?? ""),
      gtidBinlogPos: String(r.bin ?? ""),
      gtidSlavePos: String(r.slp ?? ""),
      slaveSkipErrors: String(r.sse ?? "OFF"),
      slave: await slaveStatus(c),
    };
  });
}

const FILTER_COLUMNS = ["Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Do_Table", "Replicate_Ignore_Table", "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table"];

/**
 * The user's replication graph, discovered from the servers themselves (like Orchestrator): every running
 * environment is asked concurrently for its facts and SHOW SLAVE STATUS; edges join slaves to masters by address.
 */
export async function discoverTopology(actor: Actor, envs?: EnvironmentWithNodes[]): Promise<Topology> {
  const all = (envs ?? (await listEnvironments(actor))).filter((e) => e.nodes[0]);
  const facts = await Promise.all(all.map((e) => (e.status === "running" ? serverFacts(e).catch(() => null) : Promise.resolve(null))));
  const byAddress = new Map(all.map((e) => [`${e.nodes[0].host}:${e.nodes[0].port}`, e.name]));
  const nodes: TopologyNode[] = all.map((e, i) => {
    const f = facts[i];
    const slave = f?.slave;
    const address = slave ? `${slave.Master_Host}:${slave.Master_Port}` : null;
    return {
      name: e.name,
      host: e.nodes[0].host,
      port: e.nodes[0].port,
      status: e.status,
      autoFailover: e.autoFailover,
      facts: f,
      master: address ? (byAddress.get(address) ?? address) : null,
      problems: [],
    };
  });
  const edges: TopologyEdge[] = [];
  const hasSlaves = new Set(nodes.filter((n) => n.master).map((n) => n.master));
  for (const n of nodes) {
    const f = n.facts;
    if (!f) {
      if (n.status !== "stopped") n.problems.push(`not reachable (${n.status})`);
      continue;
    }
    const dup = nodes.filter((o) => o !== n && o.facts?.serverId === f.serverId);
    if (dup.length) n.problems.push(`server-id ${f.serverId} is also used by ${dup.map((d) => d.name).join(", ")}`);
    if (hasSlaves.has(n.name) && !f.logBin) n.problems.push("has slaves but binary logging is off");
    if (f.slaveSkipErrors !== "OFF" && f.slaveSkipErrors !== "") n.problems.push(`slave-skip-errors = ${f.slaveSkipErrors}: data may silently diverge`);
    if (!f.slave) continue;
    if (!f.readOnly) n.problems.push("slave is not read-only: writes here diverge from the master");
    const health = explainSlave(f.slave);
    const behind = health.secondsBehind;
    const problems: string[] = [];
    if (health.state !== "running") problems.push(health.message);
    if (behind !== null && behind > LAG_THRESHOLD_SECONDS) problems.push(`${behind} s behind (threshold ${LAG_THRESHOLD_SECONDS} s)`);
    const filters = Object.fromEntries(FILTER_COLUMNS.map((k) => [k, String(f.slave![k] ?? "")]).filter(([, v]) => v));
    edges.push({ from: n.master!, to: n.name, health, secondsBehind: behind, filters, problems });
  }
  return { nodes, edges };
}

/** Names of every environment below `name` (its slaves, their slaves, …). */
export function descendants(topology: Topology, name: string): Set<string> {
  const out = new Set<string>();
  const walk = (n: string) => {
    for (const e of topology.edges) if (e.from === n && !out.has(e.to)) (out.add(e.to), walk(e.to));
  };
  walk(name);
  return out;
}
