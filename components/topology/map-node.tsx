"use client";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import Link from "next/link";
import type { MapServer } from "@/lib/topology/map-model";

// One server on the map: what a DBA checks first (role, address, lag, TLS, semi-sync, problems), a link to its
// page, and a menu button for the keyboard (Move under… / Detach) next to dragging.

export interface ServerNodeData extends Record<string, unknown> {
  server: MapServer;
  highlighted: boolean;
  onMenu: (server: string) => void;
}

const hidden = { opacity: 0, pointerEvents: "none" as const };

export function ServerNode({ data }: NodeProps<Node<ServerNodeData, "server">>) {
  const s = data.server;
  const problem = s.problems.length > 0;
  return (
    <div
      className={`relative h-full w-full rounded-lg border bg-white text-xs shadow-sm ${problem ? "border-red-400 ring-2 ring-red-200" : "border-slate-300"} ${data.highlighted ? "outline outline-3 outline-blue-500" : ""} ${s.master ? "cursor-grab" : ""}`}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} style={hidden} />
      <Link
        href={`/environments/${s.name}/topology`}
        data-testid={`topology-node-${s.name}`}
        data-problems={s.problems.length}
        data-role={s.role}
        title={s.problems.join("\n")}
        className="block h-full w-full p-2 hover:bg-slate-50"
      >
        <div className="flex items-center justify-between gap-2 pr-6">
          <span className="truncate text-sm font-semibold text-slate-900">{s.name}</span>
          <span className="shrink-0 rounded bg-slate-100 px-1 text-[10px] uppercase text-slate-600">
            {s.role === "unknown" ? s.status : s.role}
          </span>
        </div>
        <div className="truncate font-mono text-slate-500">
          {s.host}:{s.port} · id {s.serverId ?? "?"}
        </div>
        <div className="flex flex-wrap gap-x-2 text-[10px] text-slate-500">
          <span>{s.runtime}</span>
          {s.owner && s.owner !== "you" && <span className="truncate">{s.owner}</span>}
          {s.lag !== null && <span className={s.lag > 30 ? "text-red-700" : "text-emerald-700"}>lag {s.lag}s</span>}
          {s.tls && <span className="text-emerald-700">TLS</span>}
          {s.semiSync && (
            <span className={s.semiSync === "semi-sync fallen back" ? "text-amber-700" : "text-emerald-700"}>
              {s.semiSync}
            </span>
          )}
          {s.autoFailover && <span className="text-blue-700">auto failover</span>}
        </div>
        {problem && (
          <div className="truncate text-red-700">
            {s.problems[0]}
            {s.problems.length > 1 ? ` (+${s.problems.length - 1})` : ""}
          </div>
        )}
      </Link>
      {s.mine && s.master !== null && (
        <button
          type="button"
          aria-label={`Actions for ${s.name}`}
          onClick={() => data.onMenu(s.name)}
          className="nodrag absolute right-1 top-1 rounded px-1.5 text-base leading-none text-slate-500 hover:bg-slate-200"
        >
          ⋯
        </button>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} style={hidden} />
    </div>
  );
}

export function FrameNode({ data }: NodeProps<Node<{ label: string }, "frame">>) {
  return (
    <div className="h-full w-full rounded-xl border border-dashed border-slate-300 bg-slate-50/60">
      <div className="px-3 py-1 text-xs font-medium text-slate-500">{data.label}</div>
    </div>
  );
}
