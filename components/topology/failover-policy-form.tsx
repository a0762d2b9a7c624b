"use client";
import { Button } from "@/components/ui/button";

interface Props {
  name: string;
  autoFailover: boolean;
  confirmMs: number;
  /** The policy revision shown; a save on top of a newer one is refused, and the form then shows the stored one. */
  revision: number;
  pending: boolean;
  save: (autoFailover: boolean, confirmMs: number, revision: number) => void;
}

export function FailoverPolicyForm({ name, autoFailover, confirmMs, revision, pending, save }: Props) {
  return (
    <form
      key={revision}
      className="space-y-2 border-t border-slate-100 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        save(f.get("auto") === "on", Number(f.get("confirm")), revision);
      }}
    >
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="auto" defaultChecked={autoFailover} /> Automatic failover when {name} is dead for
        </label>
        <input
          aria-label="Confirmation milliseconds"
          name="confirm"
          type="number"
          min={200}
          max={3600000}
          step={100}
          defaultValue={confirmMs}
          className="w-24 rounded-md border border-slate-300 px-2 py-1"
        />
        <span>ms</span>
        <Button type="submit" variant="secondary" disabled={pending}>
          Save policy
        </Button>
      </div>
      <p className="text-xs text-slate-600" data-testid="failover-explained">
        The console checks that {name}&apos;s server process is alive every 200 ms. Failover starts only when it is dead
        on every check for {confirmMs} ms <em>and</em> no slave still receives from it (each slave&apos;s IO thread is
        the second vantage point: a killed server drops their connections at once, a silent host after 4 s of missed 1 s
        heartbeats). A server that is only slow or frozen for a moment, or a console restart, never triggers it; after a
        switchover or failover it waits 5 minutes before acting again.
      </p>
    </form>
  );
}
