"use client";
import Link from "next/link";
import { StatusBadge } from "@/components/ui/status-badge";
import type { GroupView, Health, ListQuery, RowView } from "@/lib/environments/groups";

// The environment list as clusters: a master's group opens and closes (native <details>), standalone servers are
// single rows. A client component on purpose: the page's payload carries the rows' plain values once, instead of
// every row's rendered markup a second time (it halves the page's weight at 500 environments).

// The grid template lives in globals.css (.env-grid) rather than repeated on every row.
const COLUMNS = "env-grid";
const healthStyle: Record<Health["level"], string> = {
  ok: "text-emerald-700",
  warning: "text-amber-700",
  down: "text-red-700",
  idle: "text-slate-500",
};
const roleStyle: Record<RowView["role"], string> = {
  master: "bg-blue-100 text-blue-800",
  intermediate: "bg-indigo-100 text-indigo-800",
  slave: "bg-slate-100 text-slate-700",
  standalone: "bg-slate-50 text-slate-500",
};

function Row({ row }: { row: RowView }) {
  return (
    <div
      data-testid={`env-row-${row.name}`}
      data-role={row.role}
      className={`${COLUMNS} items-center gap-3 px-4 py-2 text-sm hover:bg-slate-50`}
    >
      <div className="flex min-w-0 items-center gap-2" style={{ paddingLeft: row.depth * 18 }}>
        {row.depth > 0 && <span className="text-slate-400">└</span>}
        <Link href={`/environments/${row.name}`} className="truncate font-medium text-blue-700 hover:underline">
          {row.name}
        </Link>
        <span className={`shrink-0 rounded px-1.5 text-[10px] uppercase ${roleStyle[row.role]}`}>{row.role}</span>
      </div>
      <div>
        <StatusBadge status={row.status} />
      </div>
      <div className={`truncate text-xs ${healthStyle[row.health.level]}`} data-testid="health" title={row.health.text}>
        {row.lag !== null ? `lag ${row.lag}s · ` : ""}
        {row.health.text}
      </div>
      <div className="truncate font-mono text-xs">{row.address}</div>
      <div className="text-xs">{row.serverId ?? "—"}</div>
      <div className="truncate text-xs">{row.version}</div>
      <div className="text-xs">{row.memoryMb} MB</div>
      <div className="truncate text-xs text-slate-500" data-testid="owner">
        {row.last}
      </div>
    </div>
  );
}

function pageHref(query: ListQuery, page: number) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, page: String(page) }))
    if (v && !(k === "page" && v === "1") && !(k === "sort" && v === "created")) params.set(k, String(v));
  return `/environments${params.size ? `?${params}` : ""}`;
}

export function EnvironmentGroups({
  groups,
  showOwner,
  page,
  pages,
  total,
  query,
}: {
  groups: GroupView[];
  showOwner: boolean;
  page: number;
  pages: number;
  total: number;
  query: ListQuery;
}) {
  return (
    <div className="space-y-3">
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
        <div
          className={`${COLUMNS} gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 text-xs font-medium text-slate-500`}
        >
          {[
            "Name",
            "Status",
            "Health",
            "Address",
            "Server ID",
            "MariaDB",
            "Memory",
            showOwner ? "Owner" : "Runtime",
          ].map((c) => (
            <div key={c}>{c}</div>
          ))}
        </div>
        {groups.length === 0 && <p className="px-4 py-6 text-sm text-slate-500">No environment matches.</p>}
        <div className="divide-y divide-slate-100">
          {groups.map((g) =>
            g.rows.length === 1 ? (
              <Row key={g.id} row={g.rows[0]} />
            ) : (
              <details key={g.id} open data-testid={`env-group-${g.rows[0].name}`} className="group">
                <summary
                  className="flex cursor-pointer list-none items-center gap-2 bg-slate-50/70 px-4 py-1 text-xs text-slate-500"
                  aria-label={`Cluster ${g.rows[0].name}: ${g.rows.length} servers`}
                >
                  <span className="inline-block transition-transform group-open:rotate-90">▸</span>
                  Cluster {g.rows[0].name} · {g.rows.length} servers
                  <span className={healthStyle[g.health]}>· {g.health === "ok" ? "healthy" : g.health}</span>
                </summary>
                {g.rows.map((r) => (
                  <Row key={r.id} row={r} />
                ))}
              </details>
            ),
          )}
        </div>
      </div>
      {pages > 1 && (
        <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
          {page > 1 && <Link href={pageHref(query, page - 1)}>← Previous</Link>}
          <span className="text-slate-500">
            Page {page} of {pages} · {total} groups
          </span>
          {page < pages && <Link href={pageHref(query, page + 1)}>Next →</Link>}
        </nav>
      )}
    </div>
  );
}
