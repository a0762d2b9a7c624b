"use client";
import { useState, useTransition } from "react";
import { addRuleAction, deleteRuleAction } from "@/app/(console)/alerts/actions";
import { Button } from "@/components/ui/button";

export function RuleForm({ environments }: { environments: string[] }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState("thread-stopped");
  return (
    <form
      className="flex flex-wrap items-end gap-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        startTransition(async () => {
          const res = await addRuleAction(String(f.get("environment")), {
            kind,
            thresholdSec: kind === "lag" ? Number(f.get("threshold")) : undefined,
            forSec: Number(f.get("forSec") || 0),
            webhookUrl: String(f.get("webhook") ?? "").trim() || undefined,
          });
          setError(res.ok ? null : res.error);
        });
      }}
    >
      <label className="space-y-1">
        <span className="block text-slate-700">Environment</span>
        <select name="environment" className="rounded-md border border-slate-300 px-2 py-1">
          {environments.map((e) => (
            <option key={e}>{e}</option>
          ))}
        </select>
      </label>
      <label className="space-y-1">
        <span className="block text-slate-700">When</span>
        <select
          name="kind"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          className="rounded-md border border-slate-300 px-2 py-1"
        >
          <option value="thread-stopped">a replication thread stops</option>
          <option value="replication-error">replication reports an error</option>
          <option value="lag">lag exceeds a limit</option>
          <option value="node-down">the server is down</option>
          <option value="backup-verification">a backup test restore fails</option>
          <option value="semi-sync">semi-sync falls back to asynchronous</option>
          <option value="galera">a Galera node is not Synced (desynced, joining, non-primary)</option>
        </select>
      </label>
      {kind === "lag" && (
        <label className="space-y-1">
          <span className="block text-slate-700">Limit (s)</span>
          <input
            name="threshold"
            type="number"
            min={1}
            defaultValue={30}
            className="w-20 rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
      )}
      <label className="space-y-1">
        <span className="block text-slate-700">For (s)</span>
        <input
          name="forSec"
          type="number"
          min={0}
          defaultValue={0}
          className="w-20 rounded-md border border-slate-300 px-2 py-1"
        />
      </label>
      <label className="space-y-1">
        <span className="block text-slate-700">Webhook (optional)</span>
        <input
          name="webhook"
          type="url"
          placeholder="https://hooks.example.com/mariner"
          className="w-64 rounded-md border border-slate-300 px-2 py-1"
        />
      </label>
      <Button type="submit" disabled={pending || environments.length === 0}>
        Add rule
      </Button>
      {error && (
        <p role="alert" className="w-full text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}

export function DeleteRuleButton({ id }: { id: string }) {
  return (
    <Button variant="secondary" onClick={() => deleteRuleAction(id)}>
      Delete
    </Button>
  );
}
