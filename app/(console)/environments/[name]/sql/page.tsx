import { SqlConsole } from "@/components/sql/sql-console";
import { pageEnvironment } from "@/lib/environments/page";
import { databases, readOnlyHint } from "@/lib/environments/sql";
import { ServiceError } from "@/lib/errors";

export const metadata = { title: "SQL" };

export default async function SqlPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor } = await pageEnvironment(name);
  // A server that is not running is a plain message on the tab; anything else is a real error.
  const loaded = await Promise.all([databases(actor, name), readOnlyHint(actor, name)]).catch((e: unknown) => {
    if (e instanceof ServiceError) return e;
    throw e;
  });
  if (loaded instanceof ServiceError)
    return <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">{loaded.message}</p>;
  const [dbs, hint] = loaded;
  return (
    <SqlConsole
      name={name}
      initialDatabases={dbs}
      readOnly={hint.readOnly}
      isSlave={hint.isSlave}
      filesDir={hint.filesDir}
    />
  );
}
