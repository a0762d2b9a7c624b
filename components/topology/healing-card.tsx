"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { healingAction } from "@/app/(console)/environments/[name]/topology/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

interface Props {
  name: string;
  keepSlaves: number;
  recent: { id: string; action: string; status: string; error: string | null; steps: string[] }[];
}

const LABELS: Record<string, string> = {
  "topology.heal": "Healing",
  "topology.healing": "Healing setting",
  "topology.failover": "Failover",
  "topology.add-slaves": "Add slave",
};

/** A master on a Swarm keeps N slaves: lost ones (node down or drained) are replaced on healthy nodes. */
export function HealingCard({ name, keepSlaves, recent }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Card title="Healing (Swarm)">
      <form
        key={keepSlaves}
        className="flex flex-wrap items-center gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          const keep = Number(new FormData(e.currentTarget).get("keep"));
          startTransition(async () => {
            const res = await healingAction(name, keep);
            setMessage(res.ok ? "Healing saved." : res.error);
            router.refresh();
          });
        }}
      >
        <label className="flex items-center gap-2">
          Keep
          <input
            aria-label="Keep slaves"
            name="keep"
            type="number"
            min={0}
            max={10}
            defaultValue={keepSlaves}
            className="w-16 rounded-md border border-slate-300 px-2 py-1"
          />
          slaves of {name}
        </label>
        <Button type="submit" variant="secondary" disabled={pending}>
          Save healing
        </Button>
        {message && <span role="status">{message}</span>}
      </form>
      <p className="mt-2 text-xs text-slate-600">
        {keepSlaves
          ? `The slaves replicating from ${name} when you saved are kept (and the ones Add slave makes). When a kept slave's Swarm node is lost (down or drained) for 10 s, a replacement is added on a healthy node, seeded from ${name}; a stopped or restarting slave still counts. A dead master is failed over first when automatic failover is on; the old master is kept stopped (its service at 0 replicas).`
          : "Off: lost slaves are shown, not replaced."}
      </p>
      {recent.length > 0 && (
        <ul className="mt-3 space-y-2 text-sm" data-testid="healing-log">
          {recent.map((o) => (
            <li key={o.id}>
              <span className="font-medium">{LABELS[o.action] ?? o.action}</span>{" "}
              <span className={o.status === "failed" ? "text-red-700" : "text-slate-600"}>{o.status}</span>
              {o.error && <span className="text-red-700"> — {o.error}</span>}
              <ol className="ml-4 list-decimal text-xs text-slate-600">
                {o.steps.map((s, i) => (
                  <li key={i}>{s}</li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
