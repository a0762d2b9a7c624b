import { AccountsCard } from "@/components/databases/accounts-card";
import { DatabasesCard } from "@/components/databases/databases-card";
import { ImportCard } from "@/components/databases/import-card";
import { listAccounts } from "@/lib/data/accounts";
import { collations, listDatabases, sizeHistory } from "@/lib/data/databases";
import { pageEnvironment } from "@/lib/environments/page";
import { ServiceError } from "@/lib/errors";

export const metadata = { title: "Databases" };

export default async function DatabasesPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor } = await pageEnvironment(name);
  const loaded = await Promise.all([
    listDatabases(actor, name),
    listAccounts(actor, name),
    collations(actor, name),
    sizeHistory(actor, name),
  ]).catch((e: unknown) => {
    if (e instanceof ServiceError) return e;
    throw e;
  });
  if (loaded instanceof ServiceError)
    return <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">{loaded.message}</p>;
  const [databases, accounts, known, history] = loaded;
  const tenant = databases.items.filter((d) => !d.system && !d.name.startsWith("mariner_"));
  return (
    <div className="space-y-4">
      {databases.isSlave && (
        <p
          className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
          data-testid="read-only-view"
        >
          This server replicates from {databases.master}: a read-only view. Create databases and accounts on its master;
          every slave gets them.
        </p>
      )}
      <DatabasesCard
        name={name}
        databases={databases.items}
        collations={known}
        history={history}
        readOnly={databases.isSlave}
      />
      <AccountsCard
        name={name}
        accounts={accounts.items}
        databases={tenant.map((d) => d.name)}
        readOnly={databases.isSlave}
      />
      {!databases.isSlave && (
        <ImportCard name={name} databases={tenant.filter((d) => d.tables === 0).map((d) => d.name)} />
      )}
    </div>
  );
}
