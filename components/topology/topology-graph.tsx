import Link from "next/link";
import type { Topology } from "@/lib/topology/discover";

const W = 200;
const H = 78;
const GAP_X = 40;
const GAP_Y = 70;

const edgeColor: Record<string, string> = {
  running: "#059669",
  connecting: "#d97706",
  stopped: "#64748b",
  error: "#dc2626",
  "not-configured": "#64748b",
};

/** Semi-sync on a node card: a master's state, or a slave that acknowledges (null: asynchronous). */
function semiSyncLabel(n: Topology["nodes"][number]): string | null {
  const s = n.facts?.semiSync;
  if (!s) return null;
  if (s.masterEnabled && s.clients > 0 && s.masterActive) return "semi-sync";
  if (s.masterEnabled && !n.master) return "semi-sync fallen back";
  return s.slaveActive ? "semi-sync slave" : null;
}

/** Layered drawing: masters on top, each slave one row below its master, chains going down. */
export function layout(topology: Topology) {
  const names = topology.nodes.map((n) => n.name);
  const parent = new Map(topology.edges.map((e) => [e.to, e.from]));
  const depth = (n: string, seen = new Set<string>()): number => {
    const p = parent.get(n);
    if (!p || !names.includes(p) || seen.has(n)) return 0;
    seen.add(n);
    return 1 + depth(p, seen);
  };
  const rows = new Map<number, string[]>();
  // Order: each tree together (roots in creation order, children after their parent).
  const ordered: string[] = [];
  const visit = (n: string) => {
    if (ordered.includes(n)) return;
    ordered.push(n);
    for (const e of topology.edges) if (e.from === n) visit(e.to);
  };
  for (const n of names) if (depth(n) === 0) visit(n);
  for (const n of names) visit(n);
  for (const n of ordered) rows.set(depth(n), [...(rows.get(depth(n)) ?? []), n]);
  const pos = new Map<string, { x: number; y: number }>();
  for (const [d, row] of rows) row.forEach((n, i) => pos.set(n, { x: i * (W + GAP_X), y: d * (H + GAP_Y) }));
  const width = Math.max(...[...rows.values()].map((r) => r.length), 1) * (W + GAP_X);
  const height = Math.max(...rows.keys(), 0) * (H + GAP_Y) + H;
  return { pos, width, height };
}

export function TopologyGraph({ topology }: { topology: Topology }) {
  if (topology.nodes.length === 0) return <p className="text-sm text-slate-500">No environments yet.</p>;
  const { pos, width, height } = layout(topology);
  return (
    <div className="overflow-x-auto">
      <div className="relative" style={{ width, height: height + 10 }} data-testid="topology-graph">
        <svg className="absolute inset-0" width={width} height={height + 10} aria-hidden>
          {topology.edges.map((e) => {
            const a = pos.get(e.from);
            const b = pos.get(e.to);
            if (!a || !b) return null;
            const color = e.problems.length ? "#dc2626" : (edgeColor[e.health.state] ?? "#64748b");
            const [x1, y1, x2, y2] = [a.x + W / 2, a.y + H, b.x + W / 2, b.y];
            return (
              <g
                key={`${e.from}-${e.to}-${e.connection}`}
                data-testid="topology-edge"
                data-from={e.from}
                data-to={e.to}
                data-connection={e.connection}
              >
                <line
                  x1={x1}
                  y1={y1}
                  x2={x2}
                  y2={y2}
                  stroke={color}
                  strokeWidth={2}
                  strokeDasharray={e.health.state === "running" ? undefined : "5 4"}
                />
                <text x={(x1 + x2) / 2 + 6} y={(y1 + y2) / 2} fontSize={11} fill={color}>
                  {e.connection ? `'${e.connection}' · ` : ""}
                  {e.health.state === "running" ? `${e.secondsBehind ?? 0}s lag` : e.health.state}
                  {Object.keys(e.filters).length ? " · filtered" : ""}
                </text>
              </g>
            );
          })}
        </svg>
        {topology.nodes.map((n) => {
          const p = pos.get(n.name)!;
          const isMaster = topology.edges.some((e) => e.from === n.name);
          const incoming = topology.edges.filter((e) => e.to === n.name);
          const edge = incoming[0];
          const problems = [...n.problems, ...incoming.flatMap((e) => e.problems)];
          return (
            <Link
              key={n.name}
              href={`/environments/${n.name}/topology`}
              data-testid={`topology-node-${n.name}`}
              data-problems={problems.length}
              title={problems.join("\n")}
              className={`absolute rounded-lg border bg-white p-2 text-xs shadow-sm hover:border-blue-500 ${problems.length ? "border-red-400 ring-2 ring-red-200" : "border-slate-300"}`}
              style={{ left: p.x, top: p.y, width: W, height: H }}
            >
              <div className="flex items-center justify-between">
                <span className="truncate text-sm font-semibold text-slate-900">{n.name}</span>
                <span className="text-[10px] uppercase text-slate-500">
                  {n.facts
                    ? edge
                      ? isMaster
                        ? "intermediate"
                        : incoming.length > 1
                          ? "multi-source"
                          : "slave"
                      : isMaster
                        ? "master"
                        : "standalone"
                    : n.status}
                </span>
              </div>
              <div className="font-mono text-slate-500">
                {n.host}:{n.port} · id {n.facts?.serverId ?? "?"}
              </div>
              {(n.autoFailover || semiSyncLabel(n)) && (
                <div className="flex gap-2 text-[10px]">
                  {n.autoFailover && <span className="text-blue-700">auto failover</span>}
                  {semiSyncLabel(n) && (
                    <span
                      className={semiSyncLabel(n) === "semi-sync fallen back" ? "text-amber-700" : "text-emerald-700"}
                    >
                      {semiSyncLabel(n)}
                    </span>
                  )}
                </div>
              )}
              {problems[0] && <div className="truncate text-red-700">{problems[0]}</div>}
            </Link>
          );
        })}
      </div>
    </div>
  );
}
