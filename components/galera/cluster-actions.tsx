"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import {
  addNodeAction,
  createClusterEndpointsAction,
  deleteClusterAction,
  recoverClusterAction,
  removeNodeAction,
  rollingConfigAction,
} from "@/app/(console)/galera/actions";
import { OperationProgress } from "@/components/environments/operation-progress";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorLines } from "@/components/ui/error-lines";
import type { ActionResult } from "@/lib/api/action-result";

type Failure = { error: string; lines?: string[] } | null;

/** Recover, rolling my.cnf change, endpoints and delete: each shows its live steps or the server's own lines. */
export function ClusterActions({
  cluster,
  hasEndpoints,
  healthState,
}: {
  cluster: string;
  hasEndpoints: boolean;
  healthState: "healthy" | "degraded" | "down";
}) {
  const router = useRouter();
  const [operationId, setOperationId] = useState<string | null>(null);
  const [error, setError] = useState<Failure>(null);
  const [pending, setPending] = useState(false);
  const [settings, setSettings] = useState("");

  async function run(action: () => Promise<ActionResult<{ operationId?: string }>>) {
    setPending(true);
    setError(null);
    setOperationId(null);
    const res = await action();
    setPending(false);
    if (!res.ok) return setError(res);
    if (res.operationId) setOperationId(res.operationId);
    router.refresh();
  }

  return (
    <Card title="Operate">
      <div className="space-y-4">
        <div className="flex flex-wrap gap-2">
          <Button
            variant={healthState === "healthy" ? "secondary" : "primary"}
            disabled={pending}
            onClick={() => run(() => recoverClusterAction(cluster))}
          >
            Recover cluster
          </Button>
          <Button variant="secondary" disabled={pending} onClick={() => run(() => addNodeAction(cluster))}>
            Add node
          </Button>
          {!hasEndpoints && (
            <Button
              variant="secondary"
              disabled={pending}
              onClick={() => run(() => createClusterEndpointsAction(cluster))}
            >
              Create endpoints
            </Button>
          )}
          <Button
            variant="danger"
            disabled={pending}
            onClick={async () => {
              if (!confirm(`Delete Galera cluster ${cluster} and every node's data?`)) return;
              const res = await deleteClusterAction(cluster);
              if (res.ok) router.push("/environments");
              else setError(res);
            }}
          >
            Delete cluster
          </Button>
        </div>
        <p className="text-xs text-slate-500">
          Recover cluster starts the nodes that are down (they catch up by IST). After a full crash it reads every
          node&apos;s last committed position, bootstraps the most advanced node only and joins the others to it.
        </p>
        <form
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => rollingConfigAction(cluster, settings));
          }}
        >
          <label htmlFor="rolling-settings" className="block text-sm font-medium text-slate-700">
            my.cnf settings for every node
          </label>
          <textarea
            id="rolling-settings"
            value={settings}
            onChange={(e) => setSettings(e.target.value)}
            rows={3}
            placeholder="max_connections = 300"
            className="w-full rounded-md border border-slate-300 px-3 py-1.5 font-mono text-sm"
          />
          <div className="flex items-center gap-3">
            <Button type="submit" disabled={pending || !settings.trim()}>
              Apply to every node
            </Button>
            <span className="text-xs text-slate-500">
              One node at a time, each Synced again before the next; the first failure stops it and puts the previous
              my.cnf back.
            </span>
          </div>
        </form>
        {error && <ErrorLines message={error.error} lines={error.lines} />}
        {operationId && (
          <OperationProgress key={operationId} operationId={operationId} onDone={() => router.refresh()} />
        )}
      </div>
    </Card>
  );
}

export function RemoveNodeButton({ cluster, member }: { cluster: string; member: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <>
      <Button
        variant="ghost"
        className="text-xs"
        disabled={pending}
        aria-label={`Remove node ${member}`}
        onClick={async () => {
          if (!confirm(`Remove ${member} from ${cluster}? Its server and data are deleted.`)) return;
          setPending(true);
          const res = await removeNodeAction(cluster, member);
          setPending(false);
          if (res.ok) router.refresh();
          else setError(res.error);
        }}
      >
        Remove node
      </Button>
      {error && <span className="text-xs text-red-700">{error}</span>}
    </>
  );
}
