"use client";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useMemo, useState, useTransition } from "react";
import {
  restoreRevisionAction,
  saveConfigAction,
  type SaveOutcome,
} from "@/app/(console)/environments/[name]/config/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getServerOption, setServerOptions } from "@/lib/mycnf/parse";
import { ConflictPanel } from "./conflict-panel";
import { DiffView } from "./diff-view";

const CodeEditor = dynamic(() => import("./code-editor"), {
  ssr: false,
  loading: () => (
    <div
      className="h-[420px] animate-pulse rounded-md border border-slate-200 bg-slate-100"
      aria-label="Loading editor"
    />
  ),
});

export interface RevisionView {
  id: string;
  author: string;
  result: string;
  message: string | null;
  createdAt: string;
  content: string;
}

const resultStyle: Record<string, string> = {
  applied: "text-emerald-700",
  rejected: "text-amber-700",
  stale: "text-amber-700",
  "rolled-back": "text-red-700",
};

interface Props {
  name: string;
  initialContent: string;
  /** The revision the file holds: every save names it, so a save over someone else's newer one is refused. */
  revision: string | null;
  serverId: number;
  revisions: RevisionView[];
}

export function ConfigWorkspace({ name, initialContent, revision, serverId, revisions }: Props) {
  const router = useRouter();
  const [content, setContent] = useState(initialContent);
  const [saved, setSaved] = useState(initialContent);
  const [base, setBase] = useState(revision);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [pending, startTransition] = useTransition();
  const [compare, setCompare] = useState<string[]>([]);
  const [confirmSkip, setConfirmSkip] = useState(false);

  const statementFormat = getServerOption(content, "binlog-format")?.toLowerCase() === "statement";
  const dirty = content !== saved;

  function apply(work: () => Promise<SaveOutcome>) {
    setOutcome(null);
    startTransition(async () => {
      const res = await work();
      setOutcome(res);
      if (res.ok) {
        setContent(res.content);
        setSaved(res.content);
        setBase(res.revisionId);
      }
      router.refresh();
    });
  }

  const diff = useMemo(() => {
    if (compare.length !== 2) return null;
    const [older, newer] = compare
      .map((id) => revisions.find((r) => r.id === id)!)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { older, newer };
  }, [compare, revisions]);
  const conflict = outcome && !outcome.ok ? outcome.conflict : undefined;

  return (
    <div className="space-y-4">
      <Card
        title="my.cnf"
        actions={
          <div className="flex flex-wrap gap-2">
            <Button
              variant="secondary"
              onClick={() =>
                setContent(
                  setServerOptions(content, {
                    "server-id": String(serverId),
                    "log-bin": "mysql-bin",
                    "binlog-format": "mixed",
                  }),
                )
              }
            >
              Master settings
            </Button>
            <Button
              variant="secondary"
              onClick={() =>
                setContent(
                  setServerOptions(content, {
                    "server-id": String(serverId),
                    "relay-log": "relay-bin",
                    "read-only": "ON",
                  }),
                )
              }
            >
              Slave settings
            </Button>
            <Button variant="secondary" onClick={() => setConfirmSkip(true)}>
              slave-skip-errors…
            </Button>
          </div>
        }
      >
        <div className="space-y-3">
          {confirmSkip && (
            <div
              role="alertdialog"
              aria-label="slave-skip-errors warning"
              className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
            >
              <p>
                <strong>slave-skip-errors = all</strong> makes the slave silently skip every event that fails: its data
                drifts away from the master while both threads still say <em>Yes</em>, and it can only be undone with a
                restart. Prefer fixing the error or “Skip N errors” on the Replication tab.
              </p>
              <div className="flex gap-2">
                <Button
                  variant="danger"
                  onClick={() => (
                    setContent(setServerOptions(content, { "slave-skip-errors": "all" })),
                    setConfirmSkip(false)
                  )}
                >
                  Add it anyway
                </Button>
                <Button variant="secondary" onClick={() => setConfirmSkip(false)}>
                  Cancel
                </Button>
              </div>
            </div>
          )}
          {statementFormat && (
            <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">
              binlog-format = statement replicates some statements differently (UUID(), LIMIT without ORDER BY…) and you
              will get errors later on. Use mixed.
            </p>
          )}
          <CodeEditor value={content} onChange={setContent} />
          <div className="flex items-center gap-3">
            <Button onClick={() => apply(() => saveConfigAction(name, content, base))} disabled={pending || !dirty}>
              {pending ? "Validating and restarting…" : "Save and restart"}
            </Button>
            <Button variant="secondary" disabled={pending || !dirty} onClick={() => setContent(saved)}>
              Discard changes
            </Button>
            <span className="text-xs text-slate-500">
              Saving validates with mariadbd first; a server that fails to start is rolled back to the previous my.cnf.
            </span>
          </div>
          {conflict ? (
            <ConflictPanel
              conflict={conflict}
              base={saved}
              mine={content}
              pending={pending}
              onApplyOnTop={(merged) => {
                // From now on the edit is built on their revision, whatever this save's outcome.
                setSaved(conflict.currentContent);
                setBase(conflict.currentRevision);
                setContent(merged);
                apply(() => saveConfigAction(name, merged, conflict.currentRevision));
              }}
              onTakeTheirs={() => {
                setContent(conflict.currentContent);
                setSaved(conflict.currentContent);
                setBase(conflict.currentRevision);
                setOutcome(null);
              }}
            />
          ) : (
            outcome && <SaveMessage outcome={outcome} />
          )}
        </div>
      </Card>

      <Card title="Revision history">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="w-8 py-1" />
              <th className="py-1">When</th>
              <th className="py-1">Author</th>
              <th className="py-1">Result</th>
              <th className="py-1">Note</th>
              <th className="py-1" />
            </tr>
          </thead>
          <tbody>
            {revisions.map((r) => (
              <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="revision-row">
                <td className="py-1.5">
                  <input
                    type="checkbox"
                    aria-label={`Compare revision ${r.createdAt}`}
                    checked={compare.includes(r.id)}
                    onChange={(e) =>
                      setCompare((c) => (e.target.checked ? [...c, r.id].slice(-2) : c.filter((x) => x !== r.id)))
                    }
                  />
                </td>
                <td className="py-1.5 whitespace-nowrap">{r.createdAt.replace("T", " ").slice(0, 19)}</td>
                <td className="py-1.5">{r.author}</td>
                <td className={`py-1.5 font-medium ${resultStyle[r.result] ?? ""}`}>{r.result}</td>
                <td className="max-w-md py-1.5 whitespace-pre-wrap text-xs text-slate-600">{r.message}</td>
                <td className="py-1.5 text-right">
                  {r.content !== saved && (
                    <Button
                      variant="secondary"
                      disabled={pending}
                      onClick={() => apply(() => restoreRevisionAction(name, r.id, base))}
                    >
                      Restore this revision
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="mt-2 text-xs text-slate-500">Tick two revisions to see the difference.</p>
        {diff && (
          <div className="mt-3" data-testid="revision-diff">
            <p className="mb-1 text-xs text-slate-500">
              {diff.older.createdAt.replace("T", " ").slice(0, 19)} →{" "}
              {diff.newer.createdAt.replace("T", " ").slice(0, 19)}
            </p>
            <DiffView before={diff.older.content} after={diff.newer.content} />
          </div>
        )}
      </Card>
    </div>
  );
}

function SaveMessage({ outcome }: { outcome: SaveOutcome }) {
  if (outcome.ok) {
    return (
      <div
        role="status"
        className="space-y-1 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900"
      >
        <p className="font-medium">
          {outcome.restarted
            ? "Saved and restarted: the server is running with the new my.cnf."
            : "Saved: it takes effect when the server starts."}
        </p>
        {[...outcome.notices, ...outcome.warnings].map((n) => (
          <p key={n}>{n}</p>
        ))}
      </div>
    );
  }
  return (
    <div role="alert" className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-medium">{outcome.error}</p>
      {outcome.problems.length > 0 && (
        <ul className="list-disc pl-5">
          {outcome.problems.map((p, i) => (
            <li key={i}>{p.line ? `line ${p.line}: ${p.message}` : p.message}</li>
          ))}
        </ul>
      )}
      {outcome.lines.length > 0 && (
        <pre className="max-h-48 overflow-auto whitespace-pre-wrap font-mono text-xs">{outcome.lines.join("\n")}</pre>
      )}
    </div>
  );
}
