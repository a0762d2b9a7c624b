import { Card } from "@/components/ui/card";
import { CopyBlock } from "@/components/ui/copy-block";
import { pageEnvironment } from "@/lib/environments/page";
import { replicationStatus, slavesOf } from "@/lib/environments/replication";
import { listEnvironments, primaryNode } from "@/lib/environments/service";
import { javaSnippet, nodeSnippet, phpSnippet, type Endpoint, type Login } from "@/lib/environments/snippets";
import { applicationLogins } from "@/lib/data/logins";
import { ConnectAs } from "@/components/connection/connect-as";
import { listEndpoints } from "@/lib/proxy/endpoints";
import { CreateEndpointsButton } from "@/components/connection/create-endpoints";
import { placementLabel } from "@/lib/runtime/runtime";

export const metadata = { title: "Connection" };

export default async function ConnectionPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<{ as?: string }>;
}) {
  const { name } = await params;
  const { as } = await searchParams;
  const { actor, env } = await pageEnvironment(name);
  const node = primaryNode(env);
  const self: Endpoint = { name: env.name, host: node.host, port: node.port };

  // This environment as master (its slaves), or as slave (find its master among the user's environments).
  const status = env.status === "running" ? await replicationStatus(actor, name).catch(() => null) : null;
  let master = self;
  let slaves: Endpoint[] = [];
  if (status?.slave) {
    const masterEnv = (await listEnvironments(actor)).find(
      (e) => e.nodes[0]?.host === status.slave!.Master_Host && e.nodes[0]?.port === Number(status.slave!.Master_Port),
    );
    master = masterEnv
      ? { name: masterEnv.name, host: masterEnv.nodes[0].host, port: masterEnv.nodes[0].port }
      : { name: "master", host: String(status.slave.Master_Host), port: Number(status.slave.Master_Port) };
    slaves = [self];
  } else if (env.status === "running") {
    slaves = (await slavesOf(actor, env)).map((s) => ({
      name: s.env.name,
      host: s.env.nodes[0].host,
      port: s.env.nodes[0].port,
    }));
  }

  const proxies = (await listEndpoints(actor)).filter((e) => e.master === master.name);
  // With endpoints, the snippets use them: the application never needs to know which server is master.
  const proxy = proxies[0];
  const address = (a: string) => ({
    host: a.slice(0, a.lastIndexOf(":")),
    port: Number(a.slice(a.lastIndexOf(":") + 1)),
  });
  const [snippetMaster, snippetSlaves]: [Endpoint, Endpoint[]] = proxy
    ? [
        { name: `writer endpoint ${proxy.name}`, ...address(proxy.writer) },
        [{ name: `reader endpoint ${proxy.name}`, ...address(proxy.reader) }],
      ]
    : [master, slaves];
  // Application accounts live on the master (created there, replicated): the least-privileged one by default.
  const logins = await applicationLogins(actor, master.name === env.name ? env.name : master.name);
  const chosen = logins.find((l) => l.key === as) ?? logins[0];
  const login: Login = chosen ?? { user: "root", database: null };
  return (
    <div className="space-y-4">
      <Card title="Writer and reader endpoints (follow the master)">
        {proxies.length ? (
          <ul className="space-y-1 text-sm" data-testid="proxy-endpoints">
            {proxies.map((p) => (
              <li key={p.name}>
                <strong>{p.name}</strong>: writer <code className="font-mono">{p.writer}</code> → {p.master} · reader{" "}
                <code className="font-mono">{p.reader}</code> → its slaves
                <span className="ml-2 text-xs text-slate-500">{placementLabel(p.runtime, "HAProxy")}</span>
                {!p.running && <span className="ml-2 text-red-700">(not running)</span>}
              </li>
            ))}
          </ul>
        ) : master.name === env.name ? (
          <div className="space-y-2 text-sm text-slate-600">
            <p>
              HAProxy endpoints that always point at the current master (writer) and its slaves (reader): switchover and
              failover move them, so applications never reconnect to an old master.
            </p>
            <CreateEndpointsButton name={env.name} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">Create them on the master ({master.name}).</p>
        )}
      </Card>
      <Card title="Endpoints">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Role</th>
              <th className="py-1">Environment</th>
              <th className="py-1">Host</th>
              <th className="py-1">Port</th>
              <th className="py-1">Login</th>
            </tr>
          </thead>
          <tbody>
            {[{ role: "master (writes)", e: master }, ...slaves.map((e) => ({ role: "slave (reads)", e }))].map(
              ({ role, e }) => (
                <tr key={`${role}${e.name}`} className="border-t border-slate-100" data-testid="endpoint">
                  <td className="py-1.5">{role}</td>
                  <td className="py-1.5">{e.name}</td>
                  <td className="py-1.5 font-mono">{e.host}</td>
                  <td className="py-1.5 font-mono">{e.port}</td>
                  <td className="py-1.5 font-mono">{login.user}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
        <p className="mt-2 text-xs text-slate-500">
          {login.user === "root"
            ? "Root passwords are on each environment's Overview (Reveal); the snippets read them from MASTER_PASSWORD / SLAVE_PASSWORD."
            : `The snippets read ${login.user}'s password from DB_PASSWORD (the same on every server: the account replicates).`}{" "}
          For TLS connections verified against the console&apos;s CA, download{" "}
          <a className="text-blue-700 underline" href="/api/v1/ca">
            mariner-ca.pem
          </a>{" "}
          (JDBC <code>sslMode=verify-full&amp;serverSslCert=mariner-ca.pem</code>, mysqli{" "}
          <code>ssl_set(…, &quot;mariner-ca.pem&quot;, …)</code>, mysql2 <code>ssl: {"{ ca }"}</code>).
        </p>
        {slaves.length === 0 && !proxy && (
          <p className="mt-2 text-sm text-slate-600">
            No slave replicates from this environment yet: the snippets read from the master too.
          </p>
        )}
        {proxy && (
          <p className="mt-2 text-sm text-slate-600" data-testid="snippets-use-endpoints">
            The snippets below connect through the endpoints <strong>{proxy.name}</strong> (writer {proxy.writer},
            reader {proxy.reader}), so switchover and failover need no change in the application.
          </p>
        )}
      </Card>
      <Card title="Connect as">
        <ConnectAs logins={logins} chosen={chosen?.key ?? null} />
        {!chosen && (
          <p className="mt-2 text-sm text-amber-800" data-testid="root-snippets">
            The snippets use root: create an application account with access to one database only on the{" "}
            <a className="underline" href={`/environments/${master.name}/databases`}>
              Databases
            </a>{" "}
            tab of {master.name}, and they will use it instead.
          </p>
        )}
      </Card>
      <Card title="Java (JDBC, MariaDB Connector/J)">
        <CopyBlock text={javaSnippet(snippetMaster, snippetSlaves, login)} />
      </Card>
      <Card title="PHP (mysqli)">
        <CopyBlock text={phpSnippet(snippetMaster, snippetSlaves, login)} />
      </Card>
      <Card title="Node.js (mysql2)">
        <CopyBlock text={nodeSnippet(snippetMaster, snippetSlaves, login)} />
      </Card>
    </div>
  );
}
