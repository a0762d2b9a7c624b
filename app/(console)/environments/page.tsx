import Link from "next/link";
import { LiveUpdates } from "@/components/ui/live-updates";
import { StatusBadge } from "@/components/ui/status-badge";
import { requireActor } from "@/lib/auth/session";
import { listEnvironments } from "@/lib/environments/service";
import { describeQuota, myQuota } from "@/lib/quotas";
import { dockerHostNames, driverFor } from "@/lib/runtime";
import { NewEnvironmentDialog } from "@/components/environments/new-environment-dialog";

export const metadata = { title: "Environments" };

export default async function EnvironmentsPage() {
  const actor = await requireActor();
  const [envs, version, quota] = await Promise.all([
    listEnvironments(actor),
    driverFor("local")
      .engineVersion()
      .catch(() => null),
    myQuota(actor),
  ]);
  // Admins have no quota; everyone else sees where they stand before asking for more.
  const quotaSummary = quota.unlimited ? undefined : describeQuota(quota);
  return (
    <div className="space-y-4">
      <LiveUpdates />
      <div className="flex items-center justify-between">
        <div className="flex items-baseline gap-3">
          <h1 className="text-xl font-semibold">Environments</h1>
          {quotaSummary && (
            <span data-testid="quota-usage" className="text-sm text-slate-500">
              {quotaSummary}
            </span>
          )}
        </div>
        <NewEnvironmentDialog engineVersion={version} dockerHosts={dockerHostNames()} quotaSummary={quotaSummary} />
      </div>
      {envs.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-600">
          No environments yet. Click <strong>New environment</strong> to get a MariaDB server running in a few seconds.
        </div>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">Name</th>
                <th className="px-4 py-2">Status</th>
                <th className="px-4 py-2">Address</th>
                <th className="px-4 py-2">Server ID</th>
                <th className="px-4 py-2">MariaDB</th>
                <th className="px-4 py-2">Memory</th>
                <th className="px-4 py-2">Runtime</th>
                {actor.role === "admin" && <th className="px-4 py-2">Owner</th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {envs.map((env) => {
                const node = env.nodes[0];
                return (
                  <tr key={env.id} data-testid={`env-row-${env.name}`} className="hover:bg-slate-50">
                    <td className="px-4 py-2.5 font-medium">
                      <Link href={`/environments/${env.name}`} className="text-blue-700 hover:underline">
                        {env.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2.5">
                      <StatusBadge status={env.status} />
                    </td>
                    <td className="px-4 py-2.5 font-mono text-xs">{node ? `${node.host}:${node.port}` : "—"}</td>
                    <td className="px-4 py-2.5">{node?.serverId ?? "—"}</td>
                    <td className="px-4 py-2.5">{env.engineVersion}</td>
                    <td className="px-4 py-2.5">{env.memoryMb} MB</td>
                    <td className="px-4 py-2.5 text-slate-500">{env.runtime}</td>
                    {actor.role === "admin" && (
                      <td className="px-4 py-2.5 text-slate-500">{env.ownerId === actor.id ? "you" : env.ownerId}</td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
