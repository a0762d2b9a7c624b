"use client";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, useTransition } from "react";
import {
  addReplicationUserAction,
  checkReplicationAction,
  configureMasterAction,
  controlSlaveAction,
  dropReplicationUserAction,
  enableBinlogAction,
  replicationTlsAction,
  type Outcome,
} from "@/app/(console)/environments/[name]/replication/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorLines } from "@/components/ui/error-lines";
import { LagChart } from "@/components/monitoring/lag-chart";
import { AddUserDialog, ConfigureMasterDialog } from "./dialogs";
import { ControlSlave, HealthLine } from "./slave-controls";
import { CheckResults, type CheckResult } from "./check-results";
import { MasterFacts } from "./master-facts";
import { SlaveStatusTable } from "./slave-status-table";
import type { MasterCandidate, ReplicationView } from "./types";

export function ReplicationWorkspace({
  name,
  initial,
  masters,
}: {
  name: string;
  initial: ReplicationView;
  masters: MasterCandidate[];
}) {
  const router = useRouter();
  const [status, setStatus] = useState(initial);
  const [error, setError] = useState<{ error: string; lines?: string[] } | null>(null);
  const [pending, startTransition] = useTransition();
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [dialog, setDialog] = useState<"user" | "master" | "source" | null>(null);

  const refresh = useCallback(async () => {
    const res = await fetch(`/api/v1/environments/${name}/replication/status`, { cache: "no-store" });
    if (res.ok) setStatus(await res.json());
  }, [name]);

  // Live while the page is open: the slave status table follows the server every 2 s.
  useEffect(() => {
    const id = setInterval(() => document.visibilityState === "visible" && refresh(), 2000);
    return () => clearInterval(id);
  }, [refresh]);

  function run<T>(work: () => Promise<Outcome<T>>, then?: (v: T) => void) {
    setError(null);
    startTransition(async () => {
      const res = await work();
      if (res.ok) then?.(res.value);
      else setError(res);
      await refresh();
      router.refresh();
    });
  }

  const m = status.master;
  return (
    <div className="space-y-4">
      {error && <ErrorLines message={error.error} lines={error.lines} />}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Master">
          <div className="space-y-4 text-sm">
            <MasterFacts view={status} pending={pending} onEnableBinlog={() => run(() => enableBinlogAction(name))} />

            <div>
              <div className="mb-1 flex items-center justify-between">
                <h3 className="font-semibold text-slate-700">Replication users</h3>
                <Button onClick={() => setDialog("user")}>Add slave replication user</Button>
              </div>
              {status.replicationUsers.length === 0 ? (
                <p className="text-slate-500">None yet.</p>
              ) : (
                <table className="w-full text-left">
                  <tbody>
                    {status.replicationUsers.map((u) => (
                      <tr
                        key={`${u.user}@${u.host}`}
                        className="border-t border-slate-100"
                        data-testid="replication-user"
                      >
                        <td className="py-1 font-mono">
                          {u.user}@{u.host}
                        </td>
                        <td className="py-1 text-xs text-slate-500">{u.ssl ? `REQUIRE ${u.ssl}` : ""}</td>
                        <td className="py-1 text-right">
                          <Button
                            variant="secondary"
                            disabled={pending}
                            onClick={() =>
                              confirm(`Drop replication user ${u.user}@${u.host}?`) &&
                              run(() => dropReplicationUserAction(name, u))
                            }
                          >
                            Drop
                          </Button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>

            <div>
              <h3 className="mb-1 font-semibold text-slate-700">Connected slaves</h3>
              {m.connectedSlaves.length === 0 ? (
                <p className="text-slate-500">No slave is reading this server&apos;s binary log.</p>
              ) : (
                <ul className="font-mono text-xs">
                  {m.connectedSlaves.map((s) => (
                    <li key={s.id}>
                      {s.user}@{s.host} — {s.state} ({s.time} s)
                    </li>
                  ))}
                </ul>
              )}
            </div>

            <div className="space-y-2">
              <Button
                variant="secondary"
                disabled={pending}
                onClick={() =>
                  run(
                    () => checkReplicationAction(name),
                    (v) => setCheck(v as CheckResult),
                  )
                }
              >
                Check replication
              </Button>
              {check && <CheckResults check={check} />}
            </div>
          </div>
        </Card>

        <Card title="Slave">
          <div className="space-y-4 text-sm">
            <HealthLine
              health={
                !status.slave && status.connections.length
                  ? {
                      ...status.health,
                      message: `No default connection: this server replicates through ${status.connections.length} named connection(s), below.`,
                      hint: null,
                    }
                  : status.health
              }
              testId="slave-health"
            />
            <div className="flex flex-wrap items-center gap-3">
              <Button onClick={() => setDialog("master")}>Configure master</Button>
              <Button variant="secondary" onClick={() => setDialog("source")}>
                Add source
              </Button>
              {status.slave && (
                <label className="flex items-center gap-2" data-testid="encrypt-replication">
                  <input
                    type="checkbox"
                    role="switch"
                    aria-label="Encrypt replication"
                    checked={status.slave.Master_SSL_Allowed === "Yes"}
                    disabled={pending}
                    onChange={(e) => run(() => replicationTlsAction(name, e.target.checked))}
                  />
                  Encrypt replication (TLS, certificate verified)
                </label>
              )}
            </div>
            <ControlSlave
              disabled={pending || !status.slave}
              onAction={(action, count) => run(() => controlSlaveAction(name, action, count))}
            />
          </div>
        </Card>
      </div>

      {status.connections.length > 0 && (
        <Card title="Multi-source connections">
          <div className="space-y-4 text-sm">
            <p className="text-slate-500">
              Each named connection replicates from its own master with its own threads and position.
            </p>
            {status.connections.map((c) => (
              <section
                key={c.name}
                aria-label={`Connection ${c.name}`}
                data-testid="slave-connection"
                data-connection={c.name}
                className="space-y-2 rounded-md border border-slate-200 p-3"
              >
                <h3 className="font-semibold text-slate-700">
                  &apos;{c.name}&apos; ←{" "}
                  <span className="font-mono">
                    {String(c.status.Master_Host)}:{String(c.status.Master_Port)}
                  </span>
                </h3>
                <HealthLine health={c.health} testId="connection-health" />
                <ControlSlave
                  connection={c.name}
                  disabled={pending}
                  onAction={(action, count) => run(() => controlSlaveAction(name, action, count, c.name))}
                />
                <details>
                  <summary className="cursor-pointer text-slate-600">Slave status table</summary>
                  <SlaveStatusTable row={c.status} />
                </details>
              </section>
            ))}
          </div>
        </Card>
      )}

      {status.slave && (
        <Card title="Lag history (24 h)">
          <LagChart name={name} />
        </Card>
      )}

      {status.slave && (
        <Card title="Slave status table">
          <SlaveStatusTable row={status.slave} />
        </Card>
      )}

      {dialog === "user" && (
        <AddUserDialog
          onClose={() => setDialog(null)}
          onSubmit={(input) =>
            run(
              () => addReplicationUserAction(name, input),
              () => setDialog(null),
            )
          }
          pending={pending}
          error={error?.error}
        />
      )}
      {dialog === "source" && (
        <ConfigureMasterDialog
          multiSource
          masters={masters}
          defaults={null}
          onClose={() => setDialog(null)}
          onSubmit={(input) =>
            run(
              () => configureMasterAction(name, input),
              () => setDialog(null),
            )
          }
          pending={pending}
          error={error?.error}
        />
      )}
      {dialog === "master" && (
        <ConfigureMasterDialog
          masters={masters}
          defaults={status.slave}
          onClose={() => setDialog(null)}
          onSubmit={(input) =>
            run(
              () => configureMasterAction(name, input),
              () => setDialog(null),
            )
          }
          pending={pending}
          error={error?.error}
        />
      )}
    </div>
  );
}
