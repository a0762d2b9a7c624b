import { ReplicationWorkspace } from "@/components/replication/replication-workspace";
import { pageEnvironment } from "@/lib/environments/page";
import { replicationStatus } from "@/lib/environments/replication";
import { listEnvironments } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";

export const metadata = { title: "Replication" };

export default async function ReplicationPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor, env } = await pageEnvironment(name);
  const [status, envs] = await Promise.all([
    replicationStatus(actor, name).catch((e) => {
      if (e instanceof ServiceError) return { unavailable: e.message };
      throw e;
    }),
    listEnvironments(actor),
  ]);
  if ("unavailable" in status) {
    return (
      <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">{status.unavailable}</p>
    );
  }
  const candidates = envs
    .filter((e) => e.id !== env.id && e.ownerId === env.ownerId)
    .map((e) => ({ name: e.name, host: e.nodes[0]?.host ?? "", port: e.nodes[0]?.port ?? 0 }));
  return <ReplicationWorkspace name={name} initial={JSON.parse(JSON.stringify(status))} masters={candidates} />;
}
