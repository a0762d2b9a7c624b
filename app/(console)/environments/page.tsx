import Link from "next/link";
import { LiveUpdates } from "@/components/ui/live-updates";
import { StatusBadge } from "@/components/ui/status-badge";
import { requireActor } from "@/lib/auth/session";
import { listEnvironments } from "@/lib/environments/service";
import { describeQuota, myQuota } from "@/lib/quotas";
import { dockerHostNames, driverFor, swarmNames } from "@/lib/runtime";
import { NewEnvironmentDialog } from "@/components/environments/new-environment-dialog";
import { Table } from "@/components/ui/table";

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
        <NewEnvironmentDialog
          engineVersion={version}
          dockerHosts={dockerHostNames()}
          swarms={swarmNames()}
          quotaSummary={quotaSummary}
        />
      </div>
      {envs.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-600">
          No environments yet. Click <strong>New environment</strong> to get a MariaDB server running in a few seconds.
        </div>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <Table
            framed
            columns={[
              ...["Name", "Status", "Address", "Server ID", "MariaDB", "Memory", "Runtime"],
              ...(actor.role === "admin" ? ["Owner"] : []),
            ]}
          >
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
          </Table>
        </div>
      )}
    </div>
  );
}
