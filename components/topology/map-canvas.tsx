"use client";
import {
  Background,
  BaseEdge,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  getBezierPath,
  useNodesState,
  useReactFlow,
  type Edge,
  type EdgeProps,
  type Node,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo } from "react";
import type { FleetMap, MapLink, MapServer } from "@/lib/topology/map-model";
import { layoutFleet, NODE_H, NODE_W, type Frame } from "./map-layout";
import { FrameNode, ServerNode, type ServerNodeData } from "./map-node";

// The fleet map itself (loaded only on /topology, after the page): React Flow draws, dagre lays out.

const edgeColor: Record<string, string> = {
  running: "#059669",
  connecting: "#d97706",
  stopped: "#64748b",
  error: "#dc2626",
  "not-configured": "#64748b",
  "last seen": "#94a3b8",
};

type ReplicationEdgeType = Edge<{ link: MapLink }, "replication">;

function linkLabel(l: MapLink) {
  const state = l.state === "running" ? `${l.lag ?? 0}s lag` : l.state;
  return `${l.connection ? `'${l.connection}' · ` : ""}${state}${l.filtered ? " · filtered" : ""}${l.tls ? " · TLS" : ""}`;
}

function ReplicationEdge({
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  data,
}: EdgeProps<ReplicationEdgeType>) {
  const link = data!.link;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const color = link.problems.length ? "#dc2626" : (edgeColor[link.state] ?? "#64748b");
  return (
    <g
      data-testid="topology-edge"
      data-from={link.from}
      data-to={link.to}
      data-connection={link.connection}
      data-state={link.state}
    >
      <BaseEdge
        path={path}
        style={{ stroke: color, strokeWidth: 2, strokeDasharray: link.state === "running" ? undefined : "5 4" }}
      />
      <text
        x={labelX}
        y={labelY}
        fontSize={11}
        fill={color}
        textAnchor="middle"
        style={{ paintOrder: "stroke", stroke: "white", strokeWidth: 4 }}
      >
        {linkLabel(link)}
      </text>
    </g>
  );
}

const nodeTypes = { server: ServerNode, frame: FrameNode };
const edgeTypes = { replication: ReplicationEdge };

export interface CanvasProps {
  map: FleetMap;
  /** Server ids found by the search. */
  highlight: Set<string>;
  /** Centre on this server id (the nonce makes the same one centre again). */
  focus: { id: string; nonce: number } | null;
  fitNonce: number;
  onDrop: (server: string, target: string | null) => void;
  onMenu: (server: string) => void;
}

function toNodes(
  servers: MapServer[],
  positions: Map<string, { x: number; y: number }>,
  frames: Frame[],
  highlight: Set<string>,
  onMenu: (server: string) => void,
) {
  const out: Node[] = frames.map((f) => ({
    id: f.id,
    type: "frame",
    position: { x: f.x, y: f.y },
    data: { label: f.label },
    style: { width: f.w, height: f.h },
    draggable: false,
    selectable: false,
    focusable: false,
    zIndex: -1,
  }));
  for (const s of servers)
    out.push({
      id: s.id,
      type: "server",
      position: positions.get(s.id)!,
      data: { server: s, highlighted: highlight.has(s.id), onMenu } satisfies ServerNodeData,
      width: NODE_W,
      height: NODE_H,
      // Only a slave can be dragged: onto a server to move under it, onto empty space to detach.
      draggable: s.mine && s.master !== null,
      ariaLabel: `${s.name}, ${s.role}`,
    });
  return out;
}

function Canvas(p: CanvasProps) {
  const { servers, links } = p.map;
  const layout = useMemo(() => layoutFleet(servers, links), [servers, links]);
  const laidOut = useMemo(
    () => toNodes(servers, layout.positions, layout.frames, p.highlight, p.onMenu),
    [servers, layout, p.highlight, p.onMenu],
  );
  const [nodes, setNodes, onNodesChange] = useNodesState(laidOut);
  useEffect(() => setNodes(laidOut), [laidOut, setNodes]);
  const edges: ReplicationEdgeType[] = useMemo(
    () =>
      links
        .filter((l) => layout.positions.has(l.source) && layout.positions.has(l.target))
        .map((l) => ({
          id: `${l.source}>${l.target}>${l.connection}`,
          source: l.source,
          target: l.target,
          type: "replication",
          data: { link: l },
          focusable: false,
        })),
    [links, layout],
  );
  const flow = useReactFlow();
  useEffect(() => {
    if (p.fitNonce) void flow.fitView({ duration: 250 });
  }, [p.fitNonce, flow]);
  useEffect(() => {
    const at = p.focus && layout.positions.get(p.focus.id);
    if (at) void flow.setCenter(at.x + NODE_W / 2, at.y + NODE_H / 2, { zoom: 1, duration: 250 });
  }, [p.focus, layout, flow]);

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onNodeDragStop={(_, node) => {
        const under = flow.getIntersectingNodes(node).find((n) => n.type === "server" && n.id !== node.id);
        setNodes(laidOut); // the map shows what is, until the servers say otherwise
        const nameOf = (id: string) => servers.find((s) => s.id === id)!.name;
        p.onDrop(nameOf(node.id), under ? nameOf(under.id) : null);
      }}
      nodesConnectable={false}
      elementsSelectable
      minZoom={0.05}
      maxZoom={2}
      fitView
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={24} color="#e2e8f0" />
      <MiniMap pannable zoomable nodeColor={(n) => (n.type === "frame" ? "#f1f5f9" : "#94a3b8")} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

export default function MapCanvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
