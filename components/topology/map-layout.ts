import dagre from "@dagrejs/dagre";
import type { MapLink, MapServer } from "@/lib/topology/map-model";

// Where each server goes on the map: every cluster laid out as its own layered tree by dagre (master on top,
// chains going down, multi-source slaves under all their sources), clusters packed left to right in rows, and
// standalone servers gathered in a grid of their own below.

export const NODE_W = 230;
export const NODE_H = 100;
const PAD = 24;
const TITLE = 26;
const GAP = 60;

export interface Frame {
  id: string;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface FleetLayout {
  /** By server id. */
  positions: Map<string, { x: number; y: number }>;
  frames: Frame[];
}

function layoutCluster(members: MapServer[], links: MapLink[]) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 70, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(members.map((m) => m.id));
  for (const m of members) g.setNode(m.id, { width: NODE_W, height: NODE_H });
  for (const l of links)
    if (ids.has(l.source) && ids.has(l.target))
      g.setEdge(l.source, l.target, {}, `${l.source}>${l.target}>${l.connection}`);
  dagre.layout(g);
  const at = new Map<string, { x: number; y: number }>();
  let w = 0;
  let h = 0;
  for (const m of members) {
    const n = g.node(m.id);
    const x = n.x - NODE_W / 2;
    const y = n.y - NODE_H / 2;
    at.set(m.id, { x, y });
    w = Math.max(w, x + NODE_W);
    h = Math.max(h, y + NODE_H);
  }
  return { at, w, h };
}

export function layoutFleet(servers: MapServer[], links: MapLink[], rowWidth = 2400): FleetLayout {
  const byCluster = new Map<string, MapServer[]>();
  for (const s of servers) byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s]);
  const clusters = [...byCluster.entries()].filter(([, m]) => m.length > 1);
  const standalone = [...byCluster.values()].filter((m) => m.length === 1).flat();
  const positions = new Map<string, { x: number; y: number }>();
  const frames: Frame[] = [];
  let x = 0;
  let y = 0;
  let rowH = 0;
  for (const [root, members] of clusters) {
    const rootName = members.find((m) => m.id === root)?.name ?? members[0].name;
    const c = layoutCluster(members, links);
    const w = c.w + 2 * PAD;
    const h = c.h + 2 * PAD + TITLE;
    if (x > 0 && x + w > rowWidth) {
      x = 0;
      y += rowH + GAP;
      rowH = 0;
    }
    frames.push({ id: `cluster:${root}`, label: `${rootName} · ${members.length} servers`, x, y, w, h });
    for (const [id, p] of c.at) positions.set(id, { x: x + PAD + p.x, y: y + PAD + TITLE + p.y });
    x += w + GAP;
    rowH = Math.max(rowH, h);
  }
  if (standalone.length) {
    const top = clusters.length ? y + rowH + GAP : 0;
    const perRow = Math.max(1, Math.min(standalone.length, Math.floor((rowWidth - 2 * PAD) / (NODE_W + 28))));
    standalone.forEach((s, i) =>
      positions.set(s.id, {
        x: PAD + (i % perRow) * (NODE_W + 28),
        y: top + PAD + TITLE + Math.floor(i / perRow) * (NODE_H + 28),
      }),
    );
    const rows = Math.ceil(standalone.length / perRow);
    frames.push({
      id: "standalone",
      label: `Standalone · ${standalone.length} servers`,
      x: 0,
      y: top,
      w: 2 * PAD + perRow * (NODE_W + 28) - 28,
      h: 2 * PAD + TITLE + rows * (NODE_H + 28) - 28,
    });
  }
  return { positions, frames };
}
