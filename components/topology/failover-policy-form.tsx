"use client";
import { Button } from "@/components/ui/button";

interface Props {
  name: string;
  autoFailover: boolean;
  graceSec: number;
  /** The policy revision shown; a save on top of a newer one is refused, and the form then shows the stored one. */
  revision: number;
  pending: boolean;
  save: (autoFailover: boolean, graceSec: number, revision: number) => void;
}

export function FailoverPolicyForm({ name, autoFailover, graceSec, revision, pending, save }: Props) {
  return (
    <form
      key={revision}
      className="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        save(f.get("auto") === "on", Number(f.get("grace")), revision);
      }}
    >
      <label className="flex items-center gap-2">
        <input type="checkbox" name="auto" defaultChecked={autoFailover} /> Automatic failover when {name} is dead for
      </label>
      <input
        aria-label="Grace seconds"
        name="grace"
        type="number"
        min={2}
        max={3600}
        defaultValue={graceSec}
        className="w-20 rounded-md border border-slate-300 px-2 py-1"
      />
      <span>seconds</span>
      <Button type="submit" variant="secondary" disabled={pending}>
        Save policy
      </Button>
    </form>
  );
}
