import Link from "next/link";
import { requireActor } from "@/lib/auth/session";
import { openAlertCount } from "@/lib/monitoring/alerts";
import { fleetSummary } from "@/lib/environments/fleet-summary";
import { visibleEnvironments } from "@/lib/environments/visible";
import { SignOutButton } from "@/components/shell/sign-out-button";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireActor();
  const [openAlerts, envs] = await Promise.all([openAlertCount(actor), visibleEnvironments(actor)]);
  const fleet = fleetSummary(envs);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4">
          <Link href="/environments" className="flex items-center gap-2 font-semibold">
            <img src="/icon.svg" alt="" className="h-6 w-6" />
            Mariner
          </Link>
          <nav className="flex gap-4 whitespace-nowrap text-sm text-slate-600">
            <Link href="/environments" className="hover:text-slate-900">
              Environments
            </Link>
            <Link href="/topology" className="hover:text-slate-900">
              Topology
            </Link>
            <Link href="/alerts" className="hover:text-slate-900" data-testid="alerts-link">
              Alerts
              {openAlerts > 0 && (
                <span className="ml-1 rounded-full bg-red-600 px-1.5 text-xs text-white">{openAlerts}</span>
              )}
            </Link>
            <Link href="/audit" className="hover:text-slate-900">
              Audit log
            </Link>
            <Link href="/tokens" className="hover:text-slate-900">
              API tokens
            </Link>
            {actor.role === "admin" && (
              <>
                <Link href="/admin/users" className="hover:text-slate-900">
                  Users
                </Link>
                <Link href="/admin/hosts" className="hover:text-slate-900">
                  Hosts
                </Link>
                <Link href="/admin/console" className="hover:text-slate-900">
                  Console
                </Link>
              </>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-3 whitespace-nowrap text-sm text-slate-600">
            <span data-testid="current-user">{actor.email}</span>
            <SignOutButton />
          </div>
        </div>
        <div className="border-t border-slate-100 bg-slate-50/60">
          <nav
            aria-label="At a glance"
            className="mx-auto flex max-w-7xl items-center gap-4 px-4 py-1 text-xs"
            data-testid="fleet-summary"
          >
            <Link href="/environments?status=running" className="text-emerald-700 hover:underline">
              {fleet.running} running
            </Link>
            <Link
              href="/environments?status=down"
              className={fleet.down ? "font-medium text-red-700 hover:underline" : "text-slate-500 hover:underline"}
            >
              {fleet.down} down
            </Link>
            <Link
              href="/topology?problems=1"
              className={
                fleet.replicationProblems
                  ? "font-medium text-amber-700 hover:underline"
                  : "text-slate-500 hover:underline"
              }
            >
              {fleet.replicationProblems} replication problem{fleet.replicationProblems === 1 ? "" : "s"}
            </Link>
            <Link
              href="/alerts"
              className={openAlerts ? "font-medium text-red-700 hover:underline" : "text-slate-500 hover:underline"}
            >
              {openAlerts} open alert{openAlerts === 1 ? "" : "s"}
            </Link>
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
