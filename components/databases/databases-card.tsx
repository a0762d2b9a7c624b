"use client";
import { useMemo, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { createDatabaseAction, dropDatabaseAction } from "@/app/(console)/environments/[name]/databases/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorLines } from "@/components/ui/error-lines";
import { Field } from "@/components/ui/field";
import { DialogActions, Modal } from "@/components/ui/modal";
import { Table } from "@/components/ui/table";
import { escapeId } from "@/lib/accounts/privileges";
import type { DatabaseInfo } from "@/lib/mariadb/databases";
import { formatBytes } from "./format";
import { SizeTrend } from "./size-trend";

type Collation = { charset: string; collation: string; isDefault: boolean };

export function DatabasesCard({
  name,
  databases,
  collations,
  history,
  readOnly,
}: {
  name: string;
  databases: DatabaseInfo[];
  collations: Collation[];
  history: Record<string, { t: number; bytes: number }[]>;
  readOnly: boolean;
}) {
  const [selected, setSelected] = useState<string[]>([]);
  const [dropping, setDropping] = useState<string | null>(null);
  const own = (d: DatabaseInfo) => !d.system && !d.name.startsWith("mariner_");
  const exportHref = (dbs: string[]) =>
    `/api/v1/environments/${name}/export?${dbs.map((d) => `database=${encodeURIComponent(d)}`).join("&")}`;
  return (
    <Card
      title="Databases"
      actions={
        selected.length > 1 ? (
          <a className="text-sm text-blue-700 underline" href={exportHref(selected)} download>
            Export selected ({selected.length})
          </a>
        ) : databases.some(own) ? (
          <a className="text-sm text-blue-700 underline" href={exportHref([])} download>
            Export all
          </a>
        ) : undefined
      }
    >
      <Table
        columns={[
          "",
          "Database",
          { label: "Tables", className: "text-right" },
          { label: "Size", className: "text-right" },
          "Character set / collation",
          "Size over time",
          "",
        ]}
        data-testid="databases"
      >
        {databases.map((d) => (
          <tr
            key={d.name}
            className={`border-t border-slate-100 ${own(d) ? "" : "text-slate-400"}`}
            data-testid="database-row"
          >
            <td className="w-6 py-1.5">
              {own(d) && (
                <input
                  type="checkbox"
                  aria-label={`Select ${d.name}`}
                  checked={selected.includes(d.name)}
                  onChange={(e) =>
                    setSelected((s) => (e.target.checked ? [...s, d.name] : s.filter((x) => x !== d.name)))
                  }
                />
              )}
            </td>
            <td className="py-1.5 font-mono">
              {d.name}
              {!own(d) && <span className="ml-2 font-sans text-xs">({d.system ? "system" : "console"})</span>}
            </td>
            <td className="py-1.5 text-right tabular-nums">{d.tables}</td>
            <td className="py-1.5 text-right tabular-nums">{formatBytes(d.bytes)}</td>
            <td className="py-1.5 font-mono text-xs">
              {d.charset} / {d.collation}
            </td>
            <td className="py-1.5">{own(d) && <SizeTrend points={history[d.name] ?? []} />}</td>
            <td className="space-x-2 py-1.5 text-right">
              {own(d) && (
                <a className="text-sm text-blue-700 underline" href={exportHref([d.name])} download>
                  Export
                </a>
              )}
              {own(d) && !readOnly && (
                <Button variant="ghost" className="text-red-700" onClick={() => setDropping(d.name)}>
                  Drop
                </Button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      <p className="mt-2 text-xs text-slate-500">
        Export downloads a .sql.gz made by mariadb-dump from a slave when one replicates (its master is not loaded); its
        SHA-256 is in the X-Checksum-SHA256 header and in the audit log. One database exports without CREATE DATABASE,
        so it imports under any name.
      </p>
      {!readOnly && <CreateDatabaseForm name={name} collations={collations} />}
      {dropping && <DropDatabaseDialog name={name} database={dropping} onClose={() => setDropping(null)} />}
    </Card>
  );
}

function CreateDatabaseForm({ name, collations }: { name: string; collations: Collation[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [dbName, setDbName] = useState("");
  const charsets = useMemo(() => [...new Set(collations.map((c) => c.charset))], [collations]);
  const [charset, setCharset] = useState(charsets.includes("utf8mb4") ? "utf8mb4" : charsets[0]);
  const ofCharset = collations.filter((c) => c.charset === charset);
  const [collation, setCollation] = useState(ofCharset.find((c) => c.isDefault)?.collation ?? "");
  const [result, setResult] = useState<{ ok: boolean; text: string; lines?: string[] } | null>(null);
  function submit(e: React.FormEvent) {
    e.preventDefault();
    startTransition(async () => {
      const res = await createDatabaseAction(name, { name: dbName, charset, collation });
      setResult(
        res.ok
          ? { ok: true, text: `Created ${res.name} (${res.collation})` }
          : { ok: false, text: res.error, lines: res.lines },
      );
      if (res.ok) {
        setDbName("");
        router.refresh();
      }
    });
  }
  return (
    <form onSubmit={submit} className="mt-4 space-y-3 border-t border-slate-100 pt-4" aria-label="Create database">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Field
          id="db-name"
          label="Database name"
          value={dbName}
          onChange={(e) => setDbName(e.target.value)}
          required
          maxLength={64}
        />
        <Select
          id="db-charset"
          label="Character set"
          value={charset}
          options={charsets}
          onChange={(v) => {
            setCharset(v);
            setCollation(collations.find((c) => c.charset === v && c.isDefault)?.collation ?? "");
          }}
        />
        <Select
          id="db-collation"
          label="Collation"
          value={collation}
          options={ofCharset.map((c) => c.collation)}
          onChange={setCollation}
        />
      </div>
      <p className="font-mono text-xs text-slate-500" data-testid="create-database-sql">
        CREATE DATABASE {escapeId(dbName || "…")} CHARACTER SET {charset} COLLATE {collation}
      </p>
      <Button type="submit" disabled={pending || !dbName}>
        Create database
      </Button>
      {result?.ok && (
        <p role="status" className="text-sm text-emerald-800">
          {result.text}
        </p>
      )}
      {result && !result.ok && <ErrorLines message={result.text} lines={result.lines} />}
    </form>
  );
}

export function Select({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: string[];
  onChange: (v: string) => void;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
      >
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </div>
  );
}

function DropDatabaseDialog({ name, database, onClose }: { name: string; database: string; onClose: () => void }) {
  const router = useRouter();
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  return (
    <Modal title={`Drop database ${database}`} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          startTransition(async () => {
            const res = await dropDatabaseAction(name, { name: database, confirm });
            if (!res.ok) return setError(res.error);
            router.refresh();
            onClose();
          });
        }}
      >
        <p className="text-sm text-slate-600">
          Every table, view and routine in {database} is deleted on this server and its slaves. Backups keep their
          copies.
        </p>
        <Field
          id="drop-confirm"
          label={`Type ${database} to confirm`}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
        />
        <DialogActions
          error={error}
          pending={pending || confirm !== database}
          onCancel={onClose}
          submitLabel="Drop database"
        />
      </form>
    </Modal>
  );
}
