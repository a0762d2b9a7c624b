"use client";
import { useState, useTransition } from "react";
import { archiveAction, pointInTimeAction } from "@/app/(console)/environments/[name]/backups/actions";
import { useOperations } from "@/components/environments/use-operations";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

export interface PointInTimeView {
  enabled: boolean;
  state: string | null;
  from: string | null;
  to: string | null;
  gaps: string[];
  eras: { name: string; since: string; files: number; bytes: number }[];
}

const utc = (iso: string) => iso.replace("T", " ").slice(0, 19);

/** The binlog archive of this topology, its recoverable window, and "Restore to…" any second in it. */
export function PointInTimeCard({ name, view }: { name: string; view: PointInTimeView | null }) {
  const { pending, start, panel } = useOperations();
  const [saving, startSaving] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const on = !!view?.enabled;
  return (
    <Card
      title="Point-in-time recovery"
      actions={
        <Button
          disabled={saving}
          onClick={() =>
            startSaving(async () => {
              const res = await archiveAction(name, !on);
              setError(res.ok ? null : res.error);
            })
          }
        >
          {on ? "Stop archiving binary logs" : "Archive binary logs"}
        </Button>
      }
    >
      {panel}
      {error && (
        <p role="alert" className="mb-2 rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-900">
          {error}
        </p>
      )}
      <p className="mb-2 text-xs text-slate-500">
        The master&apos;s binary logs are streamed into the backup store as they are written, and follow the master
        through switchover and failover. Any second between the oldest backup and the last archived transaction can be
        restored into a new environment. Archived logs are pruned with the backups they extend.
      </p>
      {view && (
        <div className="space-y-2 text-sm" data-testid="pitr-window">
          <p>
            {view.from && view.to ? (
              <>
                Recoverable from <strong>{utc(view.from)}</strong> to <strong>{utc(view.to)}</strong> UTC
              </>
            ) : (
              "Nothing recoverable yet: a backup and archived binary logs after it are needed."
            )}
          </p>
          <ul className="text-xs text-slate-600">
            {view.eras.map((e) => (
              <li key={`${e.name}-${e.since}`}>
                {e.name} master since {utc(e.since)}: {e.files} files, {(e.bytes / 1048576).toFixed(1)} MB
              </li>
            ))}
          </ul>
          {view.state && <p className="text-xs text-slate-500">Archiver: {view.state}</p>}
          {view.gaps.map((g) => (
            <p
              key={g}
              role="alert"
              className="rounded-md border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900"
            >
              Gap: {g}
            </p>
          ))}
          <form
            aria-label="Restore to a point in time"
            className="flex flex-wrap items-end gap-3 pt-2"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const target = String(f.get("target")).trim();
              const input = {
                name: String(f.get("pitrName")),
                ...(/^\d+-\d+-\d+(,\d+-\d+-\d+)*$/.test(target) ? { gtid: target } : { time: target }),
              };
              start(`Restoring ${name} to ${target} into ${input.name}`, () => pointInTimeAction(name, input));
            }}
          >
            <label className="space-y-1">
              <span className="block text-slate-700">Restore to (UTC time or GTID)</span>
              <input
                name="target"
                required
                defaultValue={view.to ? utc(view.to) : ""}
                placeholder="2026-12-04 08:10:05"
                className="w-56 rounded-md border border-slate-300 px-2 py-1 font-mono"
              />
            </label>
            <label className="space-y-1">
              <span className="block text-slate-700">Into a new environment</span>
              <input name="pitrName" required maxLength={40} className="rounded-md border border-slate-300 px-2 py-1" />
            </label>
            <Button type="submit" disabled={pending || !view.from}>
              Restore to this point
            </Button>
          </form>
        </div>
      )}
    </Card>
  );
}
