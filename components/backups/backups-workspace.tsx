"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { restoreAction, takeBackupAction, verifyAction } from "@/app/(console)/environments/[name]/backups/actions";
import { useOperations } from "@/components/environments/use-operations";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CopyMethodSelect } from "@/components/environments/copy-method-select";
import { PolicyForm, type PolicyView } from "./policy-form";
import { RestoreForm } from "./restore-form";

interface BackupView {
  id: string;
  startedAt: string;
  durationMs: number | null;
  source: string;
  method: string;
  format: string;
  sizeBytes: number | null;
  sha256: string | null;
  gtidPosition: string | null;
  status: string;
  error: string | null;
  scheduled: boolean;
  verification: string | null;
}

const mb = (b: number | null) => (b === null ? "—" : `${(b / 1048576).toFixed(1)} MB`);

interface Props {
  name: string;
  backups: BackupView[];
  policy: PolicyView | null;
  /** The next run times of the stored schedules, so that a cron line reads as what it will do. */
  nextRuns: { backups: string[]; tests: string[] };
  environments: string[];
  /** Whether this environment's runtime can take physical backups (mariadb-backup). */
  physical: boolean;
}

export function BackupsWorkspace({ name, backups, policy, nextRuns, environments, physical }: Props) {
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
          <form
            className="flex items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              const method = String(new FormData(e.currentTarget).get("method"));
              start(`Backing up ${name}`, () => takeBackupAction(name, method));
            }}
          >
            <CopyMethodSelect id="backup-method" physical={physical} label="Kind" />
            <Button type="submit" disabled={pending}>
              Take backup now
            </Button>
          </form>
        }
      >
        <p className="mb-3 text-xs text-slate-500">
          Taken from a slave when one replicates (its SQL thread paused during the copy, the master untouched), else
          from the master (a physical copy while writes go on, or a single-transaction dump). Physical backups copy the
          data files with mariadb-backup: fast to take and to restore at any size; logical ones are portable SQL. Each
          records the GTID position it corresponds to and is read back before it counts.
        </p>
        {backups.length === 0 ? (
          <p className="text-sm text-slate-500">No backups yet.</p>
        ) : (
          <table className="w-full text-left text-xs" data-testid="backups-table">
            <thead className="uppercase text-slate-500">
              <tr>
                <th className="py-1">When</th>
                <th className="py-1">From</th>
                <th className="py-1">Kind</th>
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
                  <td className="py-1.5">{b.format === "xbstream" ? "physical" : "logical"}</td>
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
      <PolicyForm name={name} policy={policy} nextRuns={nextRuns} pending={pending} onNote={setNote} />
    </div>
  );
}
