import { ReplicationWorkspace } from "@/components/replication/replication-workspace";
import { pageEnvironment } from "@/lib/environments/page";
import { replicationStatus } from "@/lib/environments/replication";
import { listEnvironments } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { getSemiSync } from "@/lib/topology";
import { SemiSyncBadge } from "@/components/topology/semi-sync-badge";

export const metadata = { title: "Replication" };

export default async function ReplicationPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor, env } = await pageEnvironment(name);
  const [status, envs, semiSync] = await Promise.all([
    replicationStatus(actor, name).catch((e) => {
      if (e instanceof ServiceError) return { unavailable: e.message };
      throw e;
    }),
    listEnvironments(actor),
    getSemiSync(actor, name),
  ]);
  if ("unavailable" in status) {
    return (
      <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">{status.unavailable}</p>
    );
  }
  const candidates = envs
    .filter((e) => e.id !== env.id && e.ownerId === env.ownerId)
    .map((e) => ({ name: e.name, host: e.nodes[0]?.host ?? "", port: e.nodes[0]?.port ?? 0 }));
  return (
    <div className="space-y-3">
      <p className="rounded-md border border-slate-200 bg-white px-4 py-2 text-sm">
        <SemiSyncBadge view={JSON.parse(JSON.stringify(semiSync))} />
      </p>
      <ReplicationWorkspace name={name} initial={JSON.parse(JSON.stringify(status))} masters={candidates} />
    </div>
  );
}
