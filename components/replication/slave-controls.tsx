"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { ReplicationView } from "./types";

const healthStyle: Record<string, string> = {
  running: "border-emerald-200 bg-emerald-50 text-emerald-900",
  connecting: "border-amber-200 bg-amber-50 text-amber-900",
  stopped: "border-slate-200 bg-slate-50 text-slate-800",
  error: "border-red-200 bg-red-50 text-red-900",
  "not-configured": "border-slate-200 bg-slate-50 text-slate-700",
};

export function HealthLine({ health, testId }: { health: ReplicationView["health"]; testId: string }) {
  return (
    <div
      role="status"
      data-testid={testId}
      data-state={health.state}
      className={`rounded-md border p-3 ${healthStyle[health.state]}`}
    >
      <p className="font-semibold">
        {health.state.charAt(0).toUpperCase() + health.state.slice(1).replace("-", " ")}
        {health.secondsBehind !== null && health.state === "running" ? ` · ${health.secondsBehind} s behind` : ""}
      </p>
      <p>{health.message}</p>
      {health.hint && <p className="mt-1 text-xs opacity-90">What to do: {health.hint}</p>}
      {health.lastIoError && <p className="mt-1 font-mono text-xs">IO: {health.lastIoError}</p>}
      {health.lastSqlError && <p className="mt-1 font-mono text-xs">SQL: {health.lastSqlError}</p>}
    </div>
  );
}

/** Control slave for the default connection, or for one named connection (then with "Remove connection"). */
export function ControlSlave({
  disabled,
  onAction,
  connection = "",
}: {
  disabled: boolean;
  onAction: (action: string, count?: number) => void;
  connection?: string;
}) {
  const [count, setCount] = useState(1);
  const buttons: [string, string][] = [
    ["full-start", "Full start"],
    ["full-stop", "Full stop"],
    ["start-io", "Start IO thread"],
    ["stop-io", "Stop IO thread"],
    ["start-sql", "Start SQL thread"],
    ["stop-sql", "Stop SQL thread"],
  ];
  const skipId = `skip-count${connection ? `-${connection}` : ""}`;
  return (
    <fieldset
      className="space-y-2 rounded-md border border-slate-200 p-3"
      aria-label={connection ? `Control slave '${connection}'` : "Control slave"}
    >
      <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Control slave</legend>
      <div className="flex flex-wrap gap-2">
        {buttons.map(([action, label]) => (
          <Button
            key={action}
            variant={action === "full-start" ? "primary" : "secondary"}
            disabled={disabled}
            onClick={() => onAction(action)}
          >
            {label}
          </Button>
        ))}
        {connection ? (
          <Button
            variant="secondary"
            disabled={disabled}
            onClick={() =>
              confirm(`Remove connection '${connection}'? The slave stops replicating from that master.`) &&
              onAction("remove")
            }
          >
            Remove connection
          </Button>
        ) : (
          <Button
            variant="secondary"
            disabled={disabled}
            onClick={() => confirm("Reset slave? It forgets its relay logs and position.") && onAction("reset")}
          >
            Reset slave
          </Button>
        )}
      </div>
      <div className="flex items-center gap-2">
        <label htmlFor={skipId} className="text-slate-600">
          Skip
        </label>
        <input
          id={skipId}
          type="number"
          min={1}
          value={count}
          onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))}
          className="w-20 rounded-md border border-slate-300 px-2 py-1"
        />
        <Button variant="secondary" disabled={disabled} onClick={() => onAction("skip-errors", count)}>
          Skip errors
        </Button>
        <span className="text-xs text-slate-500">Skipped events are lost on this slave.</span>
      </div>
    </fieldset>
  );
}
