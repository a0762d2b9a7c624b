"use client";
import { useEffect, useState, useTransition } from "react";
import { databasesAction, runSqlAction } from "@/app/(console)/environments/[name]/sql/actions";
import { Button } from "@/components/ui/button";
import type { SqlResult } from "@/lib/mariadb/sql";

const HISTORY_LIMIT = 30;

export function SqlConsole({
  name,
  initialDatabases,
  readOnly,
  isSlave,
  filesDir,
}: {
  name: string;
  initialDatabases: string[];
  readOnly: boolean;
  isSlave: boolean;
  /** The server's secure-file-priv: the only directory LOAD DATA INFILE and SELECT … INTO OUTFILE reach. */
  filesDir: string | null;
}) {
  const [dbs, setDbs] = useState(initialDatabases);
  const [database, setDatabase] = useState<string | undefined>(undefined);
  const [statement, setStatement] = useState("");
  const [result, setResult] = useState<SqlResult | null>(null);
  const [history, setHistory] = useState<string[]>([]);
  const [pending, startTransition] = useTransition();
  const historyKey = `mariner.sql-history.${name}`;

  useEffect(() => {
    // localStorage exists only in the browser: read after hydration so server and client render the same first.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setHistory(JSON.parse(localStorage.getItem(historyKey) ?? "[]"));
  }, [historyKey]);

  function run(sql = statement) {
    if (!sql.trim()) return;
    startTransition(async () => {
      const res = await runSqlAction(name, sql, database);
      setResult(res);
      const next = [sql, ...history.filter((h) => h !== sql)].slice(0, HISTORY_LIMIT);
      setHistory(next);
      localStorage.setItem(historyKey, JSON.stringify(next));
      setDbs(await databasesAction(name));
    });
  }

  return (
    <div className="grid gap-4 md:grid-cols-[14rem_1fr]">
      <aside className="space-y-3">
        <div className="rounded-lg border border-slate-200 bg-white p-3">
          <div className="mb-2 flex items-center justify-between">
            <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Databases</h2>
            <button
              className="text-xs text-blue-700 hover:underline"
              onClick={() => startTransition(async () => setDbs(await databasesAction(name)))}
            >
              Refresh
            </button>
          </div>
          <ul className="space-y-0.5 text-sm" data-testid="database-list">
            {dbs.map((d) => (
              <li key={d}>
                <button
                  onClick={() => setDatabase(database === d ? undefined : d)}
                  className={`w-full truncate rounded px-2 py-0.5 text-left ${database === d ? "bg-blue-100 text-blue-900" : "hover:bg-slate-100"}`}
                >
                  {d}
                </button>
              </li>
            ))}
          </ul>
        </div>
        {history.length > 0 && (
          <div className="rounded-lg border border-slate-200 bg-white p-3">
            <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">History</h2>
            <ul className="space-y-1 text-xs">
              {history.map((h) => (
                <li key={h}>
                  <button
                    className="w-full truncate text-left font-mono text-slate-700 hover:text-blue-700"
                    title={h}
                    onClick={() => setStatement(h)}
                  >
                    {h}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </aside>
      <section className="space-y-3">
        {(isSlave || readOnly) && (
          <p className="rounded-md border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900">
            {isSlave
              ? "This server is a slave: write to the master. Changes made here are not replicated back and can break replication."
              : "This server is read-only."}
          </p>
        )}
        <textarea
          aria-label="SQL statement"
          value={statement}
          onChange={(e) => setStatement(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              run();
            }
          }}
          rows={5}
          spellCheck={false}
          placeholder="SHOW DATABASES"
          className="w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-sm"
        />
        <div className="flex items-center gap-3">
          <Button onClick={() => run()} disabled={pending || !statement.trim()}>
            {pending ? "Running…" : "Run"}
          </Button>
          <span className="text-xs text-slate-500">
            Ctrl+Enter · one statement at a time{database ? ` · in database ${database}` : ""}
          </span>
        </div>
        {filesDir && (
          <p className="text-xs text-slate-500">
            Files for LOAD DATA / INTO OUTFILE go here: <code className="font-mono text-slate-700">{filesDir}</code>{" "}
            (the server reads and writes no other directory).
          </p>
        )}
        {result && <ResultView result={result} />}
      </section>
    </div>
  );
}

function ResultView({ result }: { result: SqlResult }) {
  if (result.kind === "error") {
    return (
      <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 font-mono text-sm text-red-900">
        {result.errno ? `ERROR ${result.errno} (${result.sqlState}): ` : ""}
        {result.message}
      </div>
    );
  }
  if (result.kind === "ok") {
    return (
      <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
        Query OK, {result.affectedRows} row(s) affected{result.warnings ? `, ${result.warnings} warning(s)` : ""} (
        {result.ms} ms)
      </p>
    );
  }
  return (
    <div className="overflow-auto rounded-md border border-slate-200 bg-white">
      <table className="w-full text-left font-mono text-xs" data-testid="result-grid">
        <thead className="bg-slate-50 text-slate-600">
          <tr>
            {result.columns.map((c, i) => (
              <th key={i} className="px-2 py-1">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r, i) => (
            <tr key={i} className="border-t border-slate-100">
              {r.map((v, j) => (
                <td key={j} className="px-2 py-1 whitespace-pre">
                  {v === null ? <span className="text-slate-400">NULL</span> : String(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="border-t border-slate-100 px-2 py-1 text-xs text-slate-500">
        {result.rows.length} row(s){result.truncated ? " (first 1000 shown)" : ""} · {result.ms} ms
      </p>
    </div>
  );
}
