"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import {
  policyAction,
  restoreAction,
  takeBackupAction,
  verifyAction,
} from "@/app/(console)/environments/[name]/backups/actions";
import { useOperations } from "@/components/environments/use-operations";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

interface BackupView {
  id: string;
  startedAt: string;
  durationMs: number | null;
  source: string;
  method: string;
  sizeBytes: number | null;
  sha256: string | null;
  gtidPosition: string | null;
  status: string;
  error: string | null;
  scheduled: boolean;
  verification: string | null;
}

const mb = (b: number | null) => (b === null ? "—" : `${(b / 1048576).toFixed(1)} MB`);

interface PolicyView {
  schedule: string | null;
  keepLast: number | null;
  keepDays: number | null;
  verifySchedule: string | null;
  revision: number;
}

interface Props {
  name: string;
  backups: BackupView[];
  policy: PolicyView | null;
  /** The next run times of the stored schedules, so that a cron line reads as what it will do. */
  nextRuns: { backups: string[]; tests: string[] };
  environments: string[];
}

export function BackupsWorkspace({ name, backups, policy, nextRuns, environments }: Props) {
  const router = useRouter();
  const { pending, start, panel } = useOperations();
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [restoreFrom, setRestoreFrom] = useState<string | null>(null);
  const [verifying, setVerifying] = useState<string | null>(null);

  return (
    <div className="space-y-4">
      {panel}
      {note && (
        <p
          role={note.ok ? "status" : "alert"}
          className={`rounded-md border p-3 text-sm ${note.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-900"}`}
        >
          {note.text}
        </p>
      )}
      <Card
        title="Backups"
        actions={
          <Button disabled={pending} onClick={() => start(`Backing up ${name}`, () => takeBackupAction(name))}>
            Take backup now
          </Button>
        }
      >
        <p className="mb-3 text-xs text-slate-500">
          Taken from a slave when one replicates (its SQL thread paused during the dump, the master untouched), else
          from the master with a single-transaction dump. Each records the GTID position it corresponds to.
        </p>
        {backups.length === 0 ? (
          <p className="text-sm text-slate-500">No backups yet.</p>
        ) : (
          <table className="w-full text-left text-xs" data-testid="backups-table">
            <thead className="uppercase text-slate-500">
              <tr>
                <th className="py-1">When</th>
                <th className="py-1">From</th>
                <th className="py-1">Size</th>
                <th className="py-1">Took</th>
                <th className="py-1">GTID position</th>
                <th className="py-1">SHA-256</th>
                <th className="py-1">Result</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {backups.map((b) => (
                <tr key={b.id} className="border-t border-slate-100 align-top" data-testid="backup-row">
                  <td className="whitespace-nowrap py-1.5">
                    {b.startedAt.replace("T", " ").slice(0, 19)}
                    {b.scheduled && <span className="ml-1 text-slate-400">(scheduled)</span>}
                  </td>
                  <td className="py-1.5" title={b.method}>
                    {b.source}
                  </td>
                  <td className="py-1.5">{mb(b.sizeBytes)}</td>
                  <td className="py-1.5">{b.durationMs !== null ? `${(b.durationMs / 1000).toFixed(1)} s` : "…"}</td>
                  <td className="py-1.5 font-mono">{b.gtidPosition ?? "—"}</td>
                  <td className="py-1.5 font-mono" title={b.sha256 ?? ""}>
                    {b.sha256?.slice(0, 12) ?? "—"}
                  </td>
                  <td
                    className={`py-1.5 ${b.status === "failed" ? "text-red-700" : b.status === "succeeded" ? "text-emerald-700" : ""}`}
                  >
                    {b.status}
                    {b.error && <div>{b.error}</div>}
                    {b.verification && (
                      <div className={b.verification.startsWith("ok") ? "text-emerald-700" : "text-red-700"}>
                        {b.verification}
                      </div>
                    )}
                  </td>
                  <td className="space-x-2 whitespace-nowrap py-1.5 text-right">
                    {b.status === "succeeded" && (
                      <>
                        <a className="text-blue-700 hover:underline" href={`/api/v1/backups/${b.id}/download`}>
                          Download
                        </a>
                        <button className="text-blue-700 hover:underline" onClick={() => setRestoreFrom(b.id)}>
                          Restore…
                        </button>
                        <button
                          className="text-blue-700 hover:underline disabled:text-slate-400"
                          disabled={verifying !== null}
                          onClick={async () => {
                            setVerifying(b.id);
                            const res = await verifyAction(name, b.id);
                            setVerifying(null);
                            setNote(res.ok ? { ok: true, text: res.text } : { ok: false, text: res.error });
                            router.refresh();
                          }}
                        >
                          {verifying === b.id ? "Verifying…" : "Verify"}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {restoreFrom && (
          <RestoreForm
            name={name}
            environments={environments}
            pending={pending}
            onCancel={() => setRestoreFrom(null)}
            onRestore={(input) => {
              start(input.overwrite ? `Restoring over ${input.name}` : `Restoring into ${input.name}`, () =>
                restoreAction(restoreFrom, input),
              );
              setRestoreFrom(null);
            }}
          />
        )}
      </Card>
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
              setNote(
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
    </div>
  );
}

type RestoreInput = { name: string; asSlave: boolean; overwrite: boolean; confirm?: string };

/** Into a new environment by default; over an existing one only with its name typed again. */
function RestoreForm({
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
