import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { requireActor } from "@/lib/auth/session";
import { consoleStateFor } from "@/lib/console-state/service";
import { MIN_PASSPHRASE } from "@/lib/console-state/sealed";
import { ConsoleBackupForm } from "@/components/admin/console-backup-form";

export const metadata = { title: "Console" };

export default async function ConsolePage() {
  const actor = await requireActor();
  if (actor.role !== "admin") notFound();
  const state = await consoleStateFor(actor);
  return (
    <div className="grid gap-4 md:grid-cols-[2fr_1fr]">
      <Card title="The console's own state">
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt className="text-slate-500">Data directory</dt>
          <dd className="font-mono">{state.dataDir}</dd>
          <dt className="text-slate-500">Store schema</dt>
          <dd className="font-mono" data-testid="store-schema">
            {state.schema}
          </dd>
          <dt className="text-slate-500">Last backup</dt>
          <dd data-testid="last-console-backup">
            {state.lastBackup
              ? `${state.lastBackup.at.toISOString().slice(0, 16).replace("T", " ")} UTC by ${state.lastBackup.by ?? "—"}`
              : "never"}
          </dd>
        </dl>
        <p className="mt-4 text-sm text-slate-600">
          A console backup holds the store (users, API tokens, environments, my.cnf revisions, backup records, hosts),
          the key that encrypts every stored password, the session secret, both certificate authorities and the
          console&apos;s TLS certificate — encrypted with your passphrase. It does not hold your servers&apos; data:
          that stays in their volumes and node directories, and in their own backups.
        </p>
        <p className="mt-2 text-sm text-slate-600">To put it back (the console stopped; an empty data directory):</p>
        <pre className="mt-1 rounded bg-slate-900 p-2 text-xs text-slate-100">
          npm run console:restore -- mariner-console-….mcb
        </pre>
        <p className="mt-2 text-sm text-slate-600">
          A backup made by an older version is migrated when it is restored; one made by a newer version is refused.
        </p>
      </Card>
      <Card title="Back up the console">
        <ConsoleBackupForm minLength={MIN_PASSPHRASE} />
      </Card>
    </div>
  );
}
