import Link from "next/link";
import { requireActor } from "@/lib/auth/session";
import { openAlertCount } from "@/lib/monitoring/alerts";
import { SignOutButton } from "@/components/shell/sign-out-button";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireActor();
  const openAlerts = await openAlertCount(actor);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4">
          <Link href="/environments" className="flex items-center gap-2 font-semibold">
            <img src="/icon.svg" alt="" className="h-6 w-6" />
            Mariner
          </Link>
          <nav className="flex gap-4 text-sm text-slate-600">
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
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-600">
            <span data-testid="current-user">{actor.email}</span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </div>
  );
}
