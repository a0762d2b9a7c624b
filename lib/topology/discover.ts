import type { Actor } from "@/lib/auth/actor";
import { asRoot } from "@/lib/environments/root";
import { listEnvironments, type EnvironmentWithNodes } from "@/lib/environments/service";
import { explainSlave, type SlaveHealth } from "@/lib/mariadb/health";
import { allSlaveStatus, anonymousUsers, type SlaveConnection, type SlaveStatusRow } from "@/lib/mariadb/replication";
import { semiSyncStatus, type SemiSyncStatus } from "@/lib/mariadb/semisync";
import { wsrepStatus, type WsrepStatus } from "@/lib/mariadb/galera";
import { lookAt, recordObservedMasters, type LookOptions } from "./observed";

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
  /** Last GTID per domain and server in its binary log. */
  gtidBinlogState: string;
  slaveSkipErrors: string;
  /** The default connection (the one topology operations move, promote and fail over). */
  slave: SlaveStatusRow | null;
  /** Every connection, default first: a multi-source slave has one per master. */
  connections: SlaveConnection[];
  /** null when it cannot be read (a server that answers the rest is not made unreachable by it). */
  semiSync: SemiSyncStatus | null;
  /** Hosts of accounts with an empty user name (the doctor's "anonymous users"). */
  anonymousUsers: string[];
  /** The server has a certificate: clients and slaves can use TLS. */
  tls: boolean;
  /** A Galera member's wsrep status (null: not a member, or not readable). */
  galera: WsrepStatus | null;
}

export interface TopologyNode {
  ownerId: string;
  name: string;
  host: string;
  port: number;
  status: string;
  autoFailover: boolean;
  facts: ServerFacts | null;
  /** Name of the environment its default connection replicates from, or an outside host:port, or null. */
  master: string | null;
  /** Every source (multi-source slaves have several). */
  masters: string[];
  problems: string[];
}

export interface TopologyEdge {
  /** The slave's owner: `from` and `to` name servers of this owner (or `from` is an outside host:port). */
  ownerId: string;
  from: string;
  to: string;
  /** '' for the default connection, else the multi-source connection name. */
  connection: string;
  health: SlaveHealth;
  ioRunning: boolean;
  sqlRunning: boolean;
  secondsBehind: number | null;
  /** The connection asks for TLS (Master_SSL_Allowed). */
  tls: boolean;
  filters: Record<string, string>;
  problems: string[];
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  /** When the oldest of the facts shown was read (ms since epoch). */
  observedAt: number;
}

export async function serverFacts(env: EnvironmentWithNodes): Promise<ServerFacts> {
  return asRoot(env, async (c) => {
    const [rows] = await c.query(
      "SELECT @@server_id AS sid, @@read_only AS ro, @@log_bin AS lb, @@log_slave_updates AS lsu, @@binlog_format AS bf, @@gtid_current_pos AS cur, @@gtid_binlog_pos AS bin, @@gtid_slave_pos AS slp, @@gtid_binlog_state AS bst, @@slave_skip_errors AS sse, @@have_ssl AS tls",
    );
    const r = (rows as Record<string, unknown>[])[0];
    const [connections, semiSync, anonymous, galera] = await Promise.all([
      allSlaveStatus(c),
      semiSyncStatus(c).catch(() => null),
      anonymousUsers(c).catch(() => []),
      env.galeraClusterId ? wsrepStatus(c).catch(() => null) : null,
    ]);
    return {
      serverId: Number(r.sid),
      readOnly: Number(r.ro) === 1,
      logBin: Number(r.lb) === 1,
      logSlaveUpdates: Number(r.lsu) === 1,
      binlogFormat: String(r.bf),
      gtidCurrentPos: String(r.cur ?? ""),
      gtidBinlogPos: String(r.bin ?? ""),
      gtidSlavePos: String(r.slp ?? ""),
      gtidBinlogState: String(r.bst ?? ""),
      slaveSkipErrors: String(r.sse ?? "OFF"),
      slave: connections.find((x) => x.name === "")?.status ?? null,
      connections,
      semiSync,
      tls: String(r.tls) === "YES",
      anonymousUsers: anonymous,
      galera,
    };
  });
}

const FILTER_COLUMNS = [
  "Replicate_Do_DB",
  "Replicate_Ignore_DB",
  "Replicate_Do_Table",
  "Replicate_Ignore_Table",
  "Replicate_Wild_Do_Table",
  "Replicate_Wild_Ignore_Table",
];

/** A look that takes longer than this counts as unreachable (the read itself may finish later, unused). */
const LOOK_DEADLINE_MS = 5000;

const readFacts = (e: EnvironmentWithNodes) =>
  Promise.race([
    serverFacts(e).catch(() => null),
    new Promise<null>((resolve) => setTimeout(resolve, LOOK_DEADLINE_MS, null).unref()),
  ]);

/**
 * The user's replication graph, discovered from the servers themselves (like Orchestrator): every running
 * environment is asked concurrently for its facts and SHOW SLAVE STATUS; edges join slaves to masters by address.
 * `maxAgeMs` lets views reuse what the monitor read that recently (operations always read afresh).
 */
export async function discoverTopology(
  actor: Actor,
  envs?: EnvironmentWithNodes[],
  opts: LookOptions = {},
): Promise<Topology> {
  const all = (envs ?? (await listEnvironments(actor))).filter((e) => e.nodes[0]);
  let observedAt = Date.now();
  const facts = await Promise.all(
    all.map((e) => {
      if (e.status !== "running") return Promise.resolve(null);
      const look = lookAt(e, opts, readFacts);
      observedAt = Math.min(observedAt, look.at);
      return look.facts;
    }),
  );
  // A slave's source is looked for among its own owner's servers only (an admin's view spans owners).
  const byAddress = new Map(all.map((e) => [`${e.ownerId}|${e.nodes[0].host}:${e.nodes[0].port}`, e.name]));
  const sourceFor = (ownerId: string) => (row: SlaveStatusRow) => {
    const address = `${row.Master_Host}:${row.Master_Port}`;
    return byAddress.get(`${ownerId}|${address}`) ?? address;
  };
  const nodes: TopologyNode[] = all.map((e, i) => {
    const f = facts[i];
    const sourceOf = sourceFor(e.ownerId);
    return {
      ownerId: e.ownerId,
      name: e.name,
      host: e.nodes[0].host,
      port: e.nodes[0].port,
      status: e.status,
      autoFailover: e.autoFailover,
      facts: f,
      master: f?.slave ? sourceOf(f.slave) : null,
      masters: (f?.connections ?? []).map((c) => sourceOf(c.status)),
      problems: [],
    };
  });
  await recordObservedMasters(all.flatMap((env, i) => (facts[i] ? [{ env, master: nodes[i].master }] : [])));
  const edges: TopologyEdge[] = [];
  const hasSlaves = new Set(nodes.flatMap((n) => n.masters));
  for (const n of nodes) {
    const f = n.facts;
    if (!f) {
      if (n.status !== "stopped") n.problems.push(`not reachable (${n.status})`);
      continue;
    }
    const dup = nodes.filter((o) => o !== n && o.facts?.serverId === f.serverId);
    if (dup.length) n.problems.push(`server-id ${f.serverId} is also used by ${dup.map((d) => d.name).join(", ")}`);
    if (hasSlaves.has(n.name) && !f.logBin) n.problems.push("has slaves but binary logging is off");
    if (f.slaveSkipErrors !== "OFF" && f.slaveSkipErrors !== "")
      n.problems.push(`slave-skip-errors = ${f.slaveSkipErrors}: data may silently diverge`);
    if (!f.connections.length) continue;
    if (!f.readOnly) n.problems.push("slave is not read-only: writes here diverge from the master");
    for (const { name: connection, status } of f.connections) {
      const health = explainSlave(status);
      const behind = health.secondsBehind;
      const label = connection ? `'${connection}': ` : "";
      const problems: string[] = [];
      if (health.state !== "running") problems.push(label + health.message);
      if (behind !== null && behind > LAG_THRESHOLD_SECONDS)
        problems.push(`${label}${behind} s behind (threshold ${LAG_THRESHOLD_SECONDS} s)`);
      const filters = Object.fromEntries(FILTER_COLUMNS.map((k) => [k, String(status[k] ?? "")]).filter(([, v]) => v));
      edges.push({
        ownerId: n.ownerId,
        from: sourceFor(n.ownerId)(status),
        to: n.name,
        connection,
        health,
        ioRunning: status.Slave_IO_Running === "Yes",
        sqlRunning: status.Slave_SQL_Running === "Yes",
        secondsBehind: behind,
        tls: status.Master_SSL_Allowed === "Yes",
        filters,
        problems,
      });
    }
  }
  return { nodes, edges, observedAt };
}

/** Names of every environment below `name` (its slaves, their slaves, …). */
export function descendants(topology: Topology, name: string): Set<string> {
  const out = new Set<string>();
  const walk = (n: string) => {
    for (const e of topology.edges) {
      if (e.from !== n || out.has(e.to)) continue;
      out.add(e.to);
      walk(e.to);
    }
  };
  walk(name);
  return out;
}
