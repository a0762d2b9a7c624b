import { LAG_THRESHOLD_SECONDS, type ServerFacts } from "@/lib/topology/discover";
import type { EnvironmentWithNodes } from "./lookup";

// The environment list as clusters: a master with its slaves (and chains) as one group, from what each server
// replicated from when last seen (stored, so stopped slaves stay in their group); health from the monitor's last
// look, never a login per row. Pure: the page supplies the rows and the looks.

export type Health = { level: "ok" | "warning" | "down" | "idle"; text: string };

export interface ListRow {
  env: EnvironmentWithNodes;
  owner: string;
  depth: number;
  role: "master" | "intermediate" | "slave" | "standalone";
  /** Its source's name, when it replicates from a server of this list. */
  master: string | null;
  lag: number | null;
  health: Health;
}

export interface EnvGroup {
  /** Root's id: stable across renders. */
  id: string;
  rows: ListRow[];
  /** Worst health in the group. */
  health: Health["level"];
}

export interface ListQuery {
  q: string;
  status: "" | "running" | "down" | "stopped" | "problems";
  owner: string;
  runtime: string;
  sort: "name" | "health" | "created";
  page: number;
}

const RANK: Record<Health["level"], number> = { down: 0, warning: 1, ok: 2, idle: 3 };

export function healthOf(env: EnvironmentWithNodes, facts: ServerFacts | undefined): Health {
  if (env.status === "down" || env.status === "failed") return { level: "down", text: env.statusDetail ?? env.status };
  if (env.status !== "running") return { level: "idle", text: env.status };
  const slave = facts?.slave;
  if (!slave) return { level: "ok", text: facts ? "running" : "running (not observed yet)" };
  const io = slave.Slave_IO_Running;
  const sql = slave.Slave_SQL_Running;
  if (io !== "Yes" || sql !== "Yes")
    return {
      level: "warning",
      text: `replication: IO ${io}, SQL ${sql}${slave.Last_Error ? ` (${slave.Last_Error})` : ""}`,
    };
  const lag = slave.Seconds_Behind_Master === null ? null : Number(slave.Seconds_Behind_Master);
  if (lag !== null && lag > LAG_THRESHOLD_SECONDS) return { level: "warning", text: `${lag} s behind` };
  return { level: "ok", text: "replicating" };
}

/** Groups every visible environment into clusters (roots in creation order, each tree depth-first). */
export function groupEnvironments(
  envs: EnvironmentWithNodes[],
  looks: Map<string, ServerFacts>,
  ownerEmail: Map<string, string>,
): EnvGroup[] {
  const byKey = new Map(envs.map((e) => [`${e.ownerId}/${e.name}`, e]));
  const parentOf = (e: EnvironmentWithNodes) =>
    e.observedMaster ? byKey.get(`${e.ownerId}/${e.observedMaster}`) : undefined;
  const children = new Map<string, EnvironmentWithNodes[]>();
  for (const e of envs) {
    const p = parentOf(e);
    if (p && p.id !== e.id) children.set(p.id, [...(children.get(p.id) ?? []), e]);
  }
  const placed = new Set<string>();
  const groups: EnvGroup[] = [];
  const row = (e: EnvironmentWithNodes, depth: number): ListRow => {
    const facts = looks.get(e.id);
    const feeds = (children.get(e.id) ?? []).length > 0;
    const role = depth === 0 ? (feeds ? "master" : "standalone") : feeds ? "intermediate" : "slave";
    const lag = facts?.slave?.Seconds_Behind_Master;
    return {
      env: e,
      owner: ownerEmail.get(e.ownerId) ?? "",
      depth,
      role,
      master: depth ? (parentOf(e)?.name ?? null) : null,
      lag: lag === null || lag === undefined ? null : Number(lag),
      health: healthOf(e, facts),
    };
  };
  const walk = (e: EnvironmentWithNodes, depth: number, into: ListRow[]) => {
    if (placed.has(e.id)) return;
    placed.add(e.id);
    into.push(row(e, depth));
    for (const c of children.get(e.id) ?? []) walk(c, depth + 1, into);
  };
  // Roots first; then whatever a cycle of stale observations left unplaced.
  for (const e of [...envs.filter((e) => !parentOf(e)), ...envs]) {
    if (placed.has(e.id)) continue;
    const rows: ListRow[] = [];
    walk(e, 0, rows);
    const worst = rows.reduce(
      (w, r) => (RANK[r.health.level] < RANK[w] ? r.health.level : w),
      "idle" as Health["level"],
    );
    groups.push({ id: e.id, rows, health: worst });
  }
  return groups;
}

/** What the list's (client) component gets per row: plain values only, never the stored row (secrets). */
export interface RowView {
  id: string;
  name: string;
  role: ListRow["role"];
  depth: number;
  status: string;
  health: Health;
  lag: number | null;
  address: string;
  serverId: number | null;
  version: string;
  memoryMb: number;
  /** The owner's e-mail ("you" for the viewer) when owners are shown, else the runtime. */
  last: string;
}

export interface GroupView {
  id: string;
  health: Health["level"];
  rows: RowView[];
}

export function groupView(g: EnvGroup, showOwner: boolean, selfEmail: string): GroupView {
  return {
    id: g.id,
    health: g.health,
    rows: g.rows.map((r) => {
      const node = r.env.nodes[0];
      return {
        id: r.env.id,
        name: r.env.name,
        role: r.role,
        depth: r.depth,
        status: r.env.status,
        health: r.health,
        lag: r.lag,
        address: node ? `${node.host}:${node.port}` : "—",
        serverId: node?.serverId ?? null,
        version: r.env.engineVersion,
        memoryMb: r.env.memoryMb,
        last: showOwner ? (r.owner === selfEmail ? "you" : r.owner) : r.env.runtime,
      };
    }),
  };
}

/** Rows a page holds (a group is never split: one bigger than this is a page of its own). */
export const PAGE_ROWS = 40;

/** Search, filters, sort and one page of groups; a group is kept whole when any of its servers matches. */
export function selectGroups(groups: EnvGroup[], q: ListQuery) {
  const text = q.q.trim().toLowerCase();
  const matches = (r: ListRow) =>
    (!text ||
      r.env.name.toLowerCase().includes(text) ||
      `${r.env.nodes[0]?.host}:${r.env.nodes[0]?.port}`.includes(text)) &&
    (!q.owner || r.owner === q.owner) &&
    (!q.runtime || r.env.runtime === q.runtime) &&
    (q.status === "" ||
      (q.status === "problems"
        ? r.health.level === "down" || r.health.level === "warning"
        : q.status === "down"
          ? r.health.level === "down"
          : r.env.status === q.status));
  const kept = groups.filter((g) => g.rows.some(matches));
  const name = (g: EnvGroup) => g.rows[0].env.name;
  if (q.sort === "name") kept.sort((a, b) => name(a).localeCompare(name(b)));
  if (q.sort === "health") kept.sort((a, b) => RANK[a.health] - RANK[b.health] || name(a).localeCompare(name(b)));
  const paged: EnvGroup[][] = [[]];
  let rows = 0;
  for (const g of kept) {
    if (rows > 0 && rows + g.rows.length > PAGE_ROWS) {
      paged.push([]);
      rows = 0;
    }
    paged.at(-1)!.push(g);
    rows += g.rows.length;
  }
  const page = Math.min(Math.max(1, q.page), paged.length);
  return { groups: paged[page - 1], total: kept.length, page, pages: paged.length };
}

export function listQueryFrom(params: Record<string, string | string[] | undefined>): ListQuery {
  const one = (k: string) => (typeof params[k] === "string" ? (params[k] as string) : "");
  const status = one("status");
  const sort = one("sort");
  return {
    q: one("q"),
    status: (["running", "down", "stopped", "problems"].includes(status) ? status : "") as ListQuery["status"],
    owner: one("owner"),
    runtime: one("runtime"),
    sort: (["name", "health"].includes(sort) ? sort : "created") as ListQuery["sort"],
    page: Math.max(1, Number.parseInt(one("page"), 10) || 1),
  };
}
