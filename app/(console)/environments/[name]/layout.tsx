import Link from "next/link";
import { LiveUpdates } from "@/components/ui/live-updates";
import { StatusBadge } from "@/components/ui/status-badge";
import { EnvironmentControls } from "@/components/environments/environment-controls";
import { EnvironmentTabs } from "@/components/environments/environment-tabs";
import { pageEnvironment } from "@/lib/environments/page";
import { clusterNameOf } from "@/lib/galera/members";

export default async function EnvironmentLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ name: string }>;
}) {
  const { name } = await params;
  const { env } = await pageEnvironment(name);
  const cluster = await clusterNameOf(env);
  return (
    <div className="space-y-4">
      <LiveUpdates />
      <div className="flex flex-wrap items-center gap-3">
        <Link href="/environments" className="text-sm text-slate-500 hover:text-slate-800">
          Environments /
        </Link>
        <h1 className="text-xl font-semibold">{env.name}</h1>
        <StatusBadge status={env.status} />
        {cluster && (
          <Link href={`/galera/${cluster}`} className="text-sm text-blue-700 hover:underline">
            Node of Galera cluster {cluster}
          </Link>
        )}
        <div className="ml-auto">
          <EnvironmentControls name={env.name} status={env.status} />
        </div>
      </div>
      {env.statusDetail && env.status !== "running" && (
        <pre className="whitespace-pre-wrap rounded-md border border-amber-200 bg-amber-50 p-3 text-xs text-amber-900">
          {env.statusDetail}
        </pre>
      )}
      <EnvironmentTabs name={env.name} />
      {children}
    </div>
  );
}
