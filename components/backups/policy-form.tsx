"use client";
import { useRouter } from "next/navigation";
import { policyAction } from "@/app/(console)/environments/[name]/backups/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

export interface PolicyView {
  schedule: string | null;
  keepLast: number | null;
  keepDays: number | null;
  verifySchedule: string | null;
  revision: number;
}

interface Props {
  name: string;
  policy: PolicyView | null;
  /** The next run times of the stored schedules, so that a cron line reads as what it will do. */
  nextRuns: { backups: string[]; tests: string[] };
  pending: boolean;
  onNote: (note: { ok: boolean; text: string }) => void;
}

/** Schedule and retention; a save names the policy revision it was filled from (a newer one refuses it). */
export function PolicyForm({ name, policy, nextRuns, pending, onNote }: Props) {
  const router = useRouter();
  return (
    <Card title="Schedule and retention">
      <form
        // A new revision (someone else's save, or a refused stale one) shows the stored values afresh.
        key={policy?.revision ?? 0}
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const num = (k: string) => (String(f.get(k) ?? "").trim() ? Number(f.get(k)) : null);
          const text = (k: string) => String(f.get(k) ?? "").trim() || null;
          void policyAction(name, {
            schedule: text("schedule"),
            keepLast: num("keepLast"),
            keepDays: num("keepDays"),
            verifySchedule: text("verifySchedule"),
            baseRevision: policy?.revision ?? 0,
          }).then((res) => {
            onNote(
              res.ok
                ? { ok: true, text: "Backup policy saved." }
                : {
                    ok: false,
                    text: res.error + (res.code === "stale_revision" ? ". The form now shows the saved policy." : ""),
                  },
            );
            router.refresh();
          });
        }}
      >
        <label className="space-y-1">
          <span className="block text-slate-700">Schedule (cron)</span>
          <input
            name="schedule"
            defaultValue={policy?.schedule ?? ""}
            placeholder="0 3 * * *"
            className="w-40 rounded-md border border-slate-300 px-2 py-1 font-mono"
          />
        </label>
        <label className="space-y-1">
          <span className="block text-slate-700">Keep last</span>
          <input
            name="keepLast"
            type="number"
            min={1}
            defaultValue={policy?.keepLast ?? ""}
            className="w-24 rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="space-y-1">
          <span className="block text-slate-700">Keep days</span>
          <input
            name="keepDays"
            type="number"
            min={1}
            defaultValue={policy?.keepDays ?? ""}
            className="w-24 rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="space-y-1">
          <span className="block text-slate-700">Test restore (cron)</span>
          <input
            name="verifySchedule"
            defaultValue={policy?.verifySchedule ?? ""}
            placeholder="30 4 * * *"
            className="w-40 rounded-md border border-slate-300 px-2 py-1 font-mono"
          />
        </label>
        <Button type="submit" variant="secondary" disabled={pending}>
          Save policy
        </Button>
        {(nextRuns.backups.length > 0 || nextRuns.tests.length > 0) && (
          <dl className="w-full space-y-0.5 text-xs text-slate-600" data-testid="next-runs">
            {nextRuns.backups.length > 0 && (
              <div>
                <dt className="inline font-medium">Next backups: </dt>
                <dd className="inline">{nextRuns.backups.join(", ")}</dd>
              </div>
            )}
            {nextRuns.tests.length > 0 && (
              <div>
                <dt className="inline font-medium">Next test restores: </dt>
                <dd className="inline">{nextRuns.tests.join(", ")}</dd>
              </div>
            )}
          </dl>
        )}
        <p className="w-full text-xs text-slate-500">
          A test restore loads the latest backup into a temporary environment, compares every table&apos;s rows with
          what was recorded, deletes it, and raises a &quot;backup test restore fails&quot; alert on a mismatch.
        </p>
      </form>
    </Card>
  );
}
