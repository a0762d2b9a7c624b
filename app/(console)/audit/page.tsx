import { AuditTable } from "@/components/audit/audit-table";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { requireActor } from "@/lib/auth/session";
import { auditFilters, listOperations } from "@/lib/operations";

export const metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const actor = await requireActor();
  const q = await searchParams;
  const filter = {
    action: auditFilters.action(q.action ?? ""),
    environment: auditFilters.environment(q.environment ?? ""),
    status: auditFilters.status(q.status ?? ""),
  };
  const rows = await listOperations(actor, filter);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Audit log</h1>
      <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
        <label className="space-y-1">
          <span className="block text-slate-600">Action starts with</span>
          <input
            name="action"
            defaultValue={filter.action}
            placeholder="replication."
            className="rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="space-y-1">
          <span className="block text-slate-600">Environment</span>
          <input
            name="environment"
            defaultValue={filter.environment}
            className="rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="space-y-1">
          <span className="block text-slate-600">Result</span>
          <select name="status" defaultValue={filter.status} className="rounded-md border border-slate-300 px-2 py-1">
            <option value="">any</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
            <option value="running">running</option>
          </select>
        </label>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </form>
      <Card>
        <AuditTable rows={rows} />
      </Card>
    </div>
  );
}
