import { Card } from "@/components/ui/card";
import { Credentials } from "@/components/environments/credentials";
import { pageEnvironment } from "@/lib/environments/page";
import { listOperations } from "@/lib/operations";
import { AuditTable } from "@/components/audit/audit-table";
import { errorLogTail, liveStatus } from "@/lib/environments/service";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }) {
  return { title: (await params).name };
}

function formatUptime(seconds?: number) {
  if (seconds === undefined) return "—";
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d && `${d}d`, (d || h) && `${h}h`, `${m}m`, `${seconds % 60}s`].filter(Boolean).join(" ");
}

export default async function EnvironmentPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor, env } = await pageEnvironment(name);
  const node = env.nodes[0];
  const [live, log, activity] = await Promise.all([
    liveStatus(env),
    errorLogTail(actor, env.name, 40),
    listOperations(actor, { environmentId: env.id }, 20),
  ]);

  return (
    <div className="space-y-4">
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Server">
          <dl className="grid grid-cols-[9rem_1fr] gap-y-1.5 text-sm">
            <dt className="text-slate-500">Address</dt>
            <dd className="font-mono" data-testid="address">
              {node ? `${node.host}:${node.port}` : "—"}
            </dd>
            <dt className="text-slate-500">Server ID</dt>
            <dd data-testid="server-id">{node?.serverId ?? "—"}</dd>
            <dt className="text-slate-500">MariaDB</dt>
            <dd>{live?.version ?? env.engineVersion}</dd>
            <dt className="text-slate-500">Uptime</dt>
            <dd data-testid="uptime">{live?.state === "running" ? formatUptime(live.uptimeSeconds) : "—"}</dd>
            <dt className="text-slate-500">Process</dt>
            <dd>
              {live?.pid ? `pid ${live.pid}` : live?.state === "running" ? (live.detail ?? "running") : "not running"}
            </dd>
            <dt className="text-slate-500">Runtime</dt>
            <dd>{env.runtime}</dd>
            <dt className="text-slate-500">Memory limit</dt>
            <dd>{env.memoryMb} MB</dd>
          </dl>
          {live?.state === "unresponsive" && (
            <p className="mt-3 text-sm text-amber-700">The process is alive but a login failed: {live.detail}</p>
          )}
        </Card>
        <Card title="Credentials">
          {node ? (
            <Credentials name={env.name} host={node.host} port={node.port} />
          ) : (
            <p className="text-sm text-slate-500">No server yet.</p>
          )}
        </Card>
      </div>
      <Card title="Activity">
        <AuditTable rows={activity} />
      </Card>
      <Card title="Error log (last 40 lines)">
        <pre
          data-testid="error-log"
          className="max-h-80 overflow-auto whitespace-pre-wrap font-mono text-xs text-slate-700"
        >
          {log.length ? log.join("\n") : "(empty)"}
        </pre>
      </Card>
    </div>
  );
}
