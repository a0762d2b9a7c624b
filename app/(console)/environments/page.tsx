import Link from "next/link";
import { NewEnvironmentDialog } from "@/components/environments/new-environment-dialog";
import { EnvironmentGroups } from "@/components/environments/environment-groups";
import { ListFilters } from "@/components/environments/list-filters";
import { LiveUpdates } from "@/components/ui/live-updates";
import { requireActor } from "@/lib/auth/session";
import { ownerEmails } from "@/lib/auth/users";
import { groupEnvironments, groupView, listQueryFrom, selectGroups } from "@/lib/environments/groups";
import { visibleEnvironments } from "@/lib/environments/visible";
import { listClusters } from "@/lib/galera";
import { describeQuota, myQuota } from "@/lib/quotas";
import { dockerHostNames, driverFor, swarmNames } from "@/lib/runtime";
import { lastLooks } from "@/lib/topology/observed";

export const metadata = { title: "Environments" };

/** Health shown from the monitor's reads up to this old; the list never logs into a server itself. */
const LOOK_MAX_AGE_MS = 60_000;

export default async function EnvironmentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const actor = await requireActor();
  const query = listQueryFrom(await searchParams);
  const [envs, version, quota, clusters] = await Promise.all([
    visibleEnvironments(actor),
    driverFor("local")
      .engineVersion()
      .catch(() => null),
    myQuota(actor),
    listClusters(actor),
  ]);
  const looks = lastLooks(envs, LOOK_MAX_AGE_MS);
  const emails = await ownerEmails(
    actor,
    envs.map((e) => e.ownerId),
  );
  const admin = actor.role === "admin";
  const selected = selectGroups(groupEnvironments(envs, looks, admin ? emails : new Map()), query);
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
      {clusters.length > 0 && (
        <nav aria-label="Galera clusters" className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-500">Galera clusters:</span>
          {clusters.map(({ cluster, members }) => (
            <Link
              key={cluster.id}
              href={`/galera/${cluster.name}`}
              className="rounded-md border border-slate-200 bg-white px-2 py-0.5 hover:bg-slate-50"
            >
              {cluster.name} <span className="text-slate-500">· {members.length} nodes</span>
              {cluster.status !== "running" && <span className="text-amber-700"> · {cluster.status}</span>}
            </Link>
          ))}
        </nav>
      )}
      {envs.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-600">
          No environments yet. Click <strong>New environment</strong> to get a MariaDB server running in a few seconds.
        </div>
      ) : (
        <>
          <ListFilters
            query={query}
            owners={admin ? [...new Set(emails.values())].sort() : []}
            runtimes={[...new Set(envs.map((e) => e.runtime))].sort()}
          />
          <EnvironmentGroups
            groups={selected.groups.map((g) => groupView(g, admin, actor.email))}
            showOwner={admin}
            page={selected.page}
            pages={selected.pages}
            total={selected.total}
            query={query}
          />
        </>
      )}
    </div>
  );
}
