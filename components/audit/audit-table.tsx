import type { listOperations } from "@/lib/operations";
import { Table } from "@/components/ui/table";

type Row = Awaited<ReturnType<typeof listOperations>>[number];

const statusStyle: Record<string, string> = {
  succeeded: "text-emerald-700",
  failed: "text-red-700",
  running: "text-blue-700",
};

export function AuditTable({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return <p className="text-sm text-slate-500">Nothing recorded yet.</p>;
  return (
    <Table
      columns={["When", "Who", "What", "Target", "Parameters", "Result", { label: "Took", className: "text-right" }]}
      size="xs"
      data-testid="audit-table"
    >
      {rows.map((r) => (
        <tr key={r.id} className="border-t border-slate-100 align-top" data-action={r.action}>
          <td className="whitespace-nowrap py-1.5">{r.startedAt.replace("T", " ").slice(0, 19)}</td>
          <td className="py-1.5">{r.who}</td>
          <td className="py-1.5 font-mono">{r.action}</td>
          <td className="py-1.5">{r.target}</td>
          <td className="max-w-xs truncate py-1.5 font-mono text-slate-500" title={r.params ?? ""}>
            {r.params ?? ""}
          </td>
          <td className={`py-1.5 ${statusStyle[r.status] ?? ""}`}>
            {r.status}
            {r.error && <div className="max-w-sm whitespace-pre-wrap text-red-700">{r.error}</div>}
          </td>
          <td className="py-1.5 text-right">{r.durationMs !== null ? `${r.durationMs} ms` : "…"}</td>
        </tr>
      ))}
    </Table>
  );
}
