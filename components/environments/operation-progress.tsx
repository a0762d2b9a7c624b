"use client";
import { useEffect, useState } from "react";
import { ErrorLines } from "@/components/ui/error-lines";

export interface OperationView {
  status: "running" | "succeeded" | "failed";
  steps: { name: string; at: string }[];
  error: string | null;
  errorLines: string[];
}

/**
 * Polls an operation and shows its steps live. With `expectedSteps` they are listed up front, greyed until
 * reached; without, steps appear as the server reports them.
 */
export function OperationProgress({
  operationId,
  expectedSteps,
  onDone,
}: {
  operationId: string;
  expectedSteps?: string[];
  onDone?: (op: OperationView) => void;
}) {
  const [op, setOp] = useState<OperationView | null>(null);
  useEffect(() => {
    let stopped = false;
    async function poll() {
      while (!stopped) {
        const res = await fetch(`/api/v1/operations/${operationId}`, { cache: "no-store" });
        if (res.ok) {
          const next = (await res.json()) as OperationView;
          setOp(next);
          if (next.status !== "running") {
            onDone?.(next);
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    poll();
    return () => {
      stopped = true;
    };
  }, [operationId, onDone]);

  const reached = new Set(op?.steps.map((s) => s.name));
  const names = expectedSteps ?? op?.steps.map((s) => s.name) ?? [];
  const started = op ? Date.parse(op.steps[0]?.at ?? "") : NaN;
  return (
    <div className="space-y-3">
      <ol className="space-y-1.5 text-sm" aria-label="Progress">
        {names.map((name) => {
          const step = op?.steps.find((s) => s.name === name);
          const done = reached.has(name);
          const current =
            done && op?.status === "running" && op.steps.at(-1)?.name === name && name !== "ready" && name !== "done";
          return (
            <li
              key={name}
              data-step={name}
              data-done={done}
              className={`flex items-center gap-2 ${done ? "text-slate-900" : "text-slate-400"}`}
            >
              <span
                className={`flex h-4 w-4 items-center justify-center rounded-full text-[10px] ${done ? "bg-emerald-600 text-white" : "border border-slate-300"} ${current ? "animate-pulse bg-blue-600" : ""}`}
              >
                {done && !current ? "✓" : ""}
              </span>
              {name}
              {step && !Number.isNaN(started) && (
                <span className="text-xs text-slate-400">+{Date.parse(step.at) - started} ms</span>
              )}
            </li>
          );
        })}
      </ol>
      {op?.status === "succeeded" && !expectedSteps && (
        <p className="text-sm font-medium text-emerald-700">Finished.</p>
      )}
      {op?.status === "failed" && <ErrorLines message={op.error ?? "Failed"} lines={op.errorLines} />}
    </div>
  );
}
