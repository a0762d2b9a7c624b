import Link from "next/link";
import { notFound } from "next/navigation";
import { ClusterActions, RemoveNodeButton } from "@/components/galera/cluster-actions";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { Card } from "@/components/ui/card";
import { StatusBadge } from "@/components/ui/status-badge";
import { Table } from "@/components/ui/table";
import { requireActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { clusterStatus, galeraEndpointOf } from "@/lib/galera";

export const metadata = { title: "Galera cluster" };

const HEALTH_STYLE = {
  healthy: "bg-emerald-50 text-emerald-800",
  degraded: "bg-amber-50 text-amber-800",
  down: "bg-red-50 text-red-800",
} as const;

export default async function GaleraClusterPage({ params }: { params: Promise<{ name: string }> }) {
  const actor = await requireActor();
  const { name } = await params;
  const status = await clusterStatus(actor, name).catch((e) => {
    if (e instanceof ServiceError && e.status === 404) notFound();
    throw e;
  });
  const endpoint = await galeraEndpointOf(actor, name);
  const { health } = status;
  const uuids = [...new Set(status.members.map((m) => m.wsrep?.clusterUuid).filter(Boolean))];
  return (
    <div className="space-y-4">
      <AutoRefresh intervalMs={3000} />
      <div className="flex items-baseline justify-between">
        <div className="flex items-baseline gap-3">
          <h1 className="text-xl font-semibold">{status.name}</h1>
          <span className="text-sm text-slate-500">Galera cluster · {status.members.length} nodes</span>
          {status.status !== "running" && <StatusBadge status={status.status} />}
        </div>
        <Link href="/environments" className="text-sm text-slate-600 hover:underline">
          All environments
        </Link>
      </div>

      <div data-testid="cluster-health" className={`rounded-md px-4 py-3 text-sm ${HEALTH_STYLE[health.state]}`}>
        <p className="font-medium">
          {health.state === "healthy"
            ? `Healthy: ${health.primarySize} of ${status.members.length} nodes Synced in one primary component`
            : health.state === "degraded"
              ? `Degraded: the primary component has ${health.primarySize} of ${status.members.length} nodes`
              : "Down: no primary component"}
        </p>
        <ul className="mt-1 space-y-1">
          {health.problems.map((p) => (
            <li key={p.message}>
              {p.message}. <span className="text-slate-600">What to do: {p.fix}.</span>
            </li>
          ))}
        </ul>
      </div>

      <Card title="Nodes">
        <Table
          columns={[
            "Node",
            "Address",
            "State",
            "Cluster size",
            "Component",
            "Flow control paused",
            { label: "Recv / send queue", className: "text-right" },
            { label: "Last committed", className: "text-right" },
            "",
          ]}
        >
          {status.members.map((m) => (
            <tr key={m.name} data-testid="galera-node" className="border-t border-slate-100">
              <td className="py-1.5">
                <Link href={`/environments/${m.name}`} className="font-medium text-slate-900 hover:underline">
                  {m.name}
                </Link>
              </td>
              <td className="font-mono text-xs">{m.address}</td>
              <td data-testid="node-state">{m.wsrep ? m.wsrep.state : m.running ? "not answering" : "down"}</td>
              <td>{m.wsrep?.clusterSize ?? "—"}</td>
              <td>{m.wsrep?.clusterStatus ?? "—"}</td>
              <td>{m.wsrep ? `${(m.wsrep.flowControlPaused * 100).toFixed(1)}%` : "—"}</td>
              <td className="text-right">{m.wsrep ? `${m.wsrep.recvQueue} / ${m.wsrep.sendQueue}` : "—"}</td>
              <td className="text-right font-mono text-xs">{m.wsrep?.lastCommitted ?? "—"}</td>
              <td className="text-right">
                {status.members.length > 2 && <RemoveNodeButton cluster={status.name} member={m.name} />}
              </td>
            </tr>
          ))}
        </Table>
        <p className="mt-2 text-xs text-slate-500">
          Cluster {status.clusterName} · state UUID {uuids.join(", ") || "—"}. A node that is Donor/Desynced is giving a
          state transfer or a backup.
        </p>
      </Card>

      <Card title="Endpoints">
        {endpoint ? (
          <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm" data-testid="galera-endpoints">
            <dt className="text-slate-500">Writer</dt>
            <dd className="font-mono">
              {endpoint.writer}{" "}
              <span className="font-sans text-slate-500">→ {endpoint.writerMember ?? "no Synced node"}</span>
            </dd>
            <dt className="text-slate-500">Reader</dt>
            <dd className="font-mono">{endpoint.reader}</dd>
          </dl>
        ) : (
          <p className="text-sm text-slate-600">
            No endpoints yet. The writer sends every write to one Synced node (no certification conflicts) and moves to
            another when it fails; the reader spreads over all Synced nodes.
          </p>
        )}
      </Card>

      <ClusterActions cluster={status.name} hasEndpoints={!!endpoint} healthState={health.state} />
    </div>
  );
}
