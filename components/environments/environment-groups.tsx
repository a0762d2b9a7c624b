import Link from "next/link";
import { StatusBadge } from "@/components/ui/status-badge";
import type { EnvGroup, Health, ListQuery, ListRow } from "@/lib/environments/groups";

// The environment list as clusters: a master's group opens and closes (native <details>, no script), standalone
// servers are single rows.

const COLUMNS =
  "grid grid-cols-[minmax(0,2.2fr)_6rem_minmax(0,1.6fr)_minmax(0,1.3fr)_4.5rem_minmax(0,1fr)_5rem_minmax(0,1fr)]";
const healthStyle: Record<Health["level"], string> = {
  ok: "text-emerald-700",
  warning: "text-amber-700",
  down: "text-red-700",
  idle: "text-slate-500",
};
const roleStyle: Record<ListRow["role"], string> = {
  master: "bg-blue-100 text-blue-800",
  intermediate: "bg-indigo-100 text-indigo-800",
  slave: "bg-slate-100 text-slate-700",
  standalone: "bg-slate-50 text-slate-500",
};

function Row({ row, showOwner, selfEmail }: { row: ListRow; showOwner: boolean; selfEmail: string }) {
  const node = row.env.nodes[0];
  return (
    <div
      data-testid={`env-row-${row.env.name}`}
      data-role={row.role}
      className={`${COLUMNS} items-center gap-3 px-4 py-2 text-sm hover:bg-slate-50`}
    >
      <div className="flex min-w-0 items-center gap-2" style={{ paddingLeft: row.depth * 18 }}>
        {row.depth > 0 && <span className="text-slate-400">└</span>}
        <Link href={`/environments/${row.env.name}`} className="truncate font-medium text-blue-700 hover:underline">
          {row.env.name}
        </Link>
        <span className={`shrink-0 rounded px-1.5 text-[10px] uppercase ${roleStyle[row.role]}`}>{row.role}</span>
      </div>
      <div>
        <StatusBadge status={row.env.status} />
      </div>
      <div className={`truncate text-xs ${healthStyle[row.health.level]}`} data-testid="health" title={row.health.text}>
        {row.lag !== null ? `lag ${row.lag}s · ` : ""}
        {row.health.text}
      </div>
      <div className="truncate font-mono text-xs">{node ? `${node.host}:${node.port}` : "—"}</div>
      <div className="text-xs">{node?.serverId ?? "—"}</div>
      <div className="truncate text-xs">{row.env.engineVersion}</div>
      <div className="text-xs">{row.env.memoryMb} MB</div>
      <div className="truncate text-xs text-slate-500" data-testid="owner">
        {showOwner ? (row.owner === selfEmail ? "you" : row.owner) : row.env.runtime}
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
  selfEmail,
  page,
  pages,
  total,
  query,
}: {
  groups: EnvGroup[];
  showOwner: boolean;
  selfEmail: string;
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
              <Row key={g.id} row={g.rows[0]} showOwner={showOwner} selfEmail={selfEmail} />
            ) : (
              <details key={g.id} open data-testid={`env-group-${g.rows[0].env.name}`} className="group">
                <summary
                  className="flex cursor-pointer list-none items-center gap-2 bg-slate-50/70 px-4 py-1 text-xs text-slate-500"
                  aria-label={`Cluster ${g.rows[0].env.name}: ${g.rows.length} servers`}
                >
                  <span className="inline-block transition-transform group-open:rotate-90">▸</span>
                  Cluster {g.rows[0].env.name} · {g.rows.length} servers
                  <span className={healthStyle[g.health]}>· {g.health === "ok" ? "healthy" : g.health}</span>
                </summary>
                {g.rows.map((r) => (
                  <Row key={r.env.id} row={r} showOwner={showOwner} selfEmail={selfEmail} />
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
