"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { applyFixAction } from "@/app/(console)/topology/actions";
import { Button } from "@/components/ui/button";
import type { Finding } from "@/lib/topology/doctor";

export function DoctorPanel({ findings }: { findings: Finding[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (findings.length === 0)
    return (
      <p className="text-sm text-emerald-700" data-testid="doctor-clean">
        No problems found.
      </p>
    );
  return (
    <ul className="space-y-2" data-testid="doctor-findings">
      {error && (
        <li role="alert" className="text-sm text-red-700">
          {error}
        </li>
      )}
      {findings.map((f) => (
        <li
          key={f.id}
          data-finding={f.id}
          className={`rounded-md border p-3 text-sm ${f.severity === "error" ? "border-red-200 bg-red-50" : "border-amber-200 bg-amber-50"}`}
        >
          <div className="flex items-start justify-between gap-3">
            <div>
              <p className="font-semibold">
                {f.title} <span className="font-normal text-slate-600">on {f.target}</span>
              </p>
              <p className="text-slate-700">{f.explanation}</p>
            </div>
            {f.fix && (
              <Button
                variant="secondary"
                disabled={pending}
                onClick={() => {
                  setBusy(f.id);
                  setError(null);
                  startTransition(async () => {
                    const res = await applyFixAction(f.id);
                    if (!res.ok) setError(res.error);
                    setBusy(null);
                    router.refresh();
                  });
                }}
              >
                {busy === f.id ? "Fixing…" : f.fix}
              </Button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
