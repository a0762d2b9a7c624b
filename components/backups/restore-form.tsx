"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";

type RestoreInput = { name: string; asSlave: boolean; overwrite: boolean; confirm?: string };

/** Into a new environment by default; over an existing one only with its name typed again. */
export function RestoreForm({
  name,
  environments,
  pending,
  onCancel,
  onRestore,
}: {
  name: string;
  environments: string[];
  pending: boolean;
  onCancel: () => void;
  onRestore: (i: RestoreInput) => void;
}) {
  const [mode, setMode] = useState<"new" | "over">("new");
  const [over, setOver] = useState(environments[0] ?? "");
  const [typed, setTyped] = useState("");
  return (
    <form
      aria-label="Restore"
      className="mt-4 space-y-3 rounded-md border border-slate-200 p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        if (mode === "new")
          onRestore({ name: String(f.get("restoreName")), asSlave: f.get("asSlave") === "on", overwrite: false });
        else onRestore({ name: over, asSlave: false, overwrite: true, confirm: typed });
      }}
    >
      <div className="flex flex-wrap gap-4">
        <label className="flex items-center gap-2">
          <input type="radio" name="mode" checked={mode === "new"} onChange={() => setMode("new")} /> Into a new
          environment
        </label>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="mode"
            checked={mode === "over"}
            onChange={() => setMode("over")}
            disabled={environments.length === 0}
          />{" "}
          Over an existing environment
        </label>
      </div>
      {mode === "new" ? (
        <div className="flex flex-wrap items-end gap-3">
          <label className="space-y-1">
            <span className="block text-slate-700">Restore into a new environment</span>
            <input
              name="restoreName"
              required
              maxLength={40}
              className="rounded-md border border-slate-300 px-2 py-1"
              aria-label="New environment name"
            />
          </label>
          <label className="flex items-center gap-2 pb-1">
            <input type="checkbox" name="asSlave" /> and replicate from {name} from the recorded position
          </label>
        </div>
      ) : (
        <div className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-red-900">
          <label className="block space-y-1">
            <span className="block">Environment to overwrite</span>
            <select
              aria-label="Environment to overwrite"
              value={over}
              onChange={(e) => (setOver(e.target.value), setTyped(""))}
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900"
            >
              {environments.map((e) => (
                <option key={e}>{e}</option>
              ))}
            </select>
          </label>
          <p>
            Every database on <strong>{over}</strong> is replaced by the backup&apos;s. A safety backup of {over} is
            taken first (and put back if loading fails); its slaves follow.
          </p>
          <label className="block space-y-1">
            <span className="block">Type {over} to confirm</span>
            <input
              aria-label="Type the environment name to confirm"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900"
            />
          </label>
        </div>
      )}
      <div className="flex gap-2">
        <Button
          type="submit"
          disabled={pending || (mode === "over" && typed !== over)}
          variant={mode === "over" ? "danger" : "primary"}
        >
          {mode === "over" ? `Restore over ${over}` : "Restore"}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
