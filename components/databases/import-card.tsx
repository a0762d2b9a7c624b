"use client";
import { useCallback, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { OperationProgress } from "@/components/environments/operation-progress";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorLines } from "@/components/ui/error-lines";
import { Field } from "@/components/ui/field";
import { formatBytes } from "./format";

type Target = "new" | "empty" | "dump";
type Failure = { message: string; lines: string[] };

/**
 * Upload a .sql / .sql.gz: the browser sends the file as it is (upload progress), the console checks every
 * statement before anything runs, then loads it with live progress; Cancel drops what was loaded.
 */
export function ImportCard({ name, databases: emptyOnes }: { name: string; databases: string[] }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [target, setTarget] = useState<Target>("new");
  const [newName, setNewName] = useState("");
  const [existing, setExisting] = useState(emptyOnes[0] ?? "");
  const [sent, setSent] = useState<number | null>(null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [finished, setFinished] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const request = useRef<XMLHttpRequest | null>(null);
  // The list of empty databases changes under the form (one just created, one just filled).
  const emptyChoice = emptyOnes.includes(existing) ? existing : (emptyOnes[0] ?? "");
  const database = target === "new" ? newName : target === "empty" ? emptyChoice : "";
  // Stable: OperationProgress polls again whenever its onDone changes.
  const onDone = useCallback(() => {
    setFinished(true);
    router.refresh();
  }, [router]);

  function upload(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    setFailure(null);
    setOperationId(null);
    setFinished(false);
    const query = new URLSearchParams({ fileName: file.name, ...(database ? { database } : {}) });
    const xhr = new XMLHttpRequest();
    request.current = xhr;
    xhr.open("POST", `/api/v1/environments/${name}/import?${query}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (p) => setSent(p.loaded);
    xhr.onload = () => {
      setSent(null);
      const body = JSON.parse(xhr.responseText || "{}");
      if (xhr.status === 202) setOperationId(body.operationId);
      else setFailure({ message: body.error?.message ?? `HTTP ${xhr.status}`, lines: body.error?.lines ?? [] });
    };
    xhr.onerror = () => {
      setSent(null);
      setFailure({ message: "The upload was interrupted", lines: [] });
    };
    xhr.send(file);
  }

  async function cancel() {
    if (sent !== null) {
      request.current?.abort();
      setSent(null);
      setFailure({ message: "Upload cancelled: nothing was imported", lines: [] });
      return;
    }
    if (operationId) await fetch(`/api/v1/environments/${name}/import?operation=${operationId}`, { method: "DELETE" });
  }

  const running = sent !== null || (operationId !== null && !finished);
  return (
    <Card title="Import a .sql or .sql.gz">
      <form onSubmit={upload} className="space-y-3" aria-label="Import">
        <div className="space-y-1">
          <label htmlFor="import-file" className="block text-sm font-medium text-slate-700">
            File
          </label>
          <input
            id="import-file"
            type="file"
            accept=".sql,.gz,application/sql,application/gzip"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            className="text-sm"
          />
          {file && (
            <p className="text-xs text-slate-500" data-testid="import-size">
              {file.name}: {formatBytes(file.size)}
            </p>
          )}
        </div>
        <fieldset className="space-y-2 text-sm">
          <legend className="font-medium text-slate-700">Into</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="target" checked={target === "new"} onChange={() => setTarget("new")} />A new
            database (created by the import, dropped again if it fails)
          </label>
          {target === "new" && (
            <Field
              id="import-database"
              label="New database name"
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
            />
          )}
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name="target"
              checked={target === "empty"}
              disabled={!emptyOnes.length}
              onChange={() => setTarget("empty")}
            />
            An existing empty database{!emptyOnes.length && " (none is empty)"}
          </label>
          {target === "empty" && (
            <select
              aria-label="Empty database"
              value={emptyChoice}
              onChange={(e) => setExisting(e.target.value)}
              className="rounded-md border border-slate-300 px-2 py-1"
            >
              {emptyOnes.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          )}
          <label className="flex items-center gap-2">
            <input type="radio" name="target" checked={target === "dump"} onChange={() => setTarget("dump")} />
            The databases the dump creates (mariadb-dump --databases; none may exist yet)
          </label>
        </fieldset>
        <p className="text-xs text-slate-500">
          Every statement is checked first: account changes, writes to system tables and server administration (SET
          GLOBAL, CHANGE MASTER, …) are refused with their line numbers, and nothing runs.
        </p>
        <div className="flex gap-2">
          <Button type="submit" disabled={!file || running || (target !== "dump" && !database)}>
            Import
          </Button>
          {running && (
            <Button type="button" variant="secondary" onClick={cancel}>
              Cancel import
            </Button>
          )}
        </div>
        {sent !== null && file && (
          <p role="status" className="text-sm text-slate-600">
            Uploading: {formatBytes(sent)} of {formatBytes(file.size)}
          </p>
        )}
        {failure && <ErrorLines message={failure.message} lines={failure.lines} />}
        {operationId && <OperationProgress operationId={operationId} onDone={onDone} />}
      </form>
    </Card>
  );
}
