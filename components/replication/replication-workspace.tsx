"use client";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, useTransition } from "react";
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
import { Field } from "@/components/ui/field";
import { LagChart } from "@/components/monitoring/lag-chart";
import { SlaveStatusTable } from "./slave-status-table";
import type { MasterCandidate, ReplicationView } from "./types";

const healthStyle: Record<string, string> = {
  running: "border-emerald-200 bg-emerald-50 text-emerald-900",
  connecting: "border-amber-200 bg-amber-50 text-amber-900",
  stopped: "border-slate-200 bg-slate-50 text-slate-800",
  error: "border-red-200 bg-red-50 text-red-900",
  "not-configured": "border-slate-200 bg-slate-50 text-slate-700",
};

type CheckResult = { slaves: { environment: string; arrived: boolean; ms: number | null; databaseVisible: boolean }[] };

export function ReplicationWorkspace({ name, initial, masters }: { name: string; initial: ReplicationView; masters: MasterCandidate[] }) {
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
            <dl className="grid grid-cols-[10rem_1fr] gap-y-1">
              <dt className="text-slate-500">server_id</dt>
              <dd data-testid="master-server-id">{m.serverId}</dd>
              <dt className="text-slate-500">Binary log</dt>
              <dd data-testid="log-bin" className={m.logBin ? "text-emerald-700" : "text-red-700"}>
                {m.logBin ? "ON" : "OFF"}
              </dd>
              <dt className="text-slate-500">binlog_format</dt>
              <dd className={m.binlogFormat === "STATEMENT" ? "text-amber-700" : ""}>{m.binlogFormat}</dd>
              <dt className="text-slate-500">File / position</dt>
              <dd className="font-mono">{m.file ? `${m.file} / ${m.position}` : "—"}</dd>
              <dt className="text-slate-500">gtid_binlog_pos</dt>
              <dd className="font-mono">{m.gtidBinlogPos || "—"}</dd>
              <dt className="text-slate-500">read_only</dt>
              <dd>{m.readOnly ? "ON" : "OFF"}</dd>
            </dl>
            {!m.logBin && (
              <div className={`space-y-2 rounded-md border p-3 ${status.slave ? "border-slate-200 bg-slate-50 text-slate-700" : "border-amber-300 bg-amber-50 text-amber-900"}`}>
                <p>
                  Binary logging is off: this server cannot be a master until it writes a binary log
                  {status.slave ? " (needed only if other servers should replicate from this slave)." : "."}
                </p>
                <Button disabled={pending} onClick={() => run(() => enableBinlogAction(name))}>
                  Enable binary logging (restart)
                </Button>
              </div>
            )}
            {m.binlogFormat === "STATEMENT" && <p className="text-amber-800">binlog_format is STATEMENT: you will get replication errors later on. Set binlog-format = mixed in Config.</p>}
            {status.anonymousUsers.length > 0 && (
              <p className="text-amber-800">Anonymous users exist ({status.anonymousUsers.map((h) => `''@${h}`).join(", ")}): they shadow replication users and cause 1045 errors.</p>
            )}

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
                      <tr key={`${u.user}@${u.host}`} className="border-t border-slate-100" data-testid="replication-user">
                        <td className="py-1 font-mono">
                          {u.user}@{u.host}
                        </td>
                        <td className="py-1 text-xs text-slate-500">{u.ssl ? `REQUIRE ${u.ssl}` : ""}</td>
                        <td className="py-1 text-right">
                          <Button variant="secondary" disabled={pending} onClick={() => confirm(`Drop replication user ${u.user}@${u.host}?`) && run(() => dropReplicationUserAction(name, u))}>
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
              <Button variant="secondary" disabled={pending} onClick={() => run(() => checkReplicationAction(name), (v) => setCheck(v as CheckResult))}>
                Check replication
              </Button>
              {check && (
                <div data-testid="check-results">
                  {check.slaves.length === 0 ? (
                    <p className="text-slate-500">No environment of yours replicates from this one.</p>
                  ) : (
                    <table className="w-full text-left text-xs">
                      <thead className="text-slate-500">
                        <tr>
                          <th>Slave</th>
                          <th>Canary row</th>
                          <th>Database list</th>
                        </tr>
                      </thead>
                      <tbody>
                        {check.slaves.map((s) => (
                          <tr key={s.environment} className="border-t border-slate-100">
                            <td className="py-1">{s.environment}</td>
                            <td className={s.arrived ? "text-emerald-700" : "text-red-700"}>{s.arrived ? `arrived after ${s.ms} ms` : "did not arrive within 5 s"}</td>
                            <td className={s.databaseVisible ? "text-emerald-700" : "text-red-700"}>{s.databaseVisible ? "new database visible" : "new database missing"}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </div>
              )}
            </div>
          </div>
        </Card>

        <Card title="Slave">
          <div className="space-y-4 text-sm">
            <HealthLine
              health={
                !status.slave && status.connections.length
                  ? { ...status.health, message: `No default connection: this server replicates through ${status.connections.length} named connection(s), below.`, hint: null }
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
            <ControlSlave disabled={pending || !status.slave} onAction={(action, count) => run(() => controlSlaveAction(name, action, count))} />
          </div>
        </Card>
      </div>

      {status.connections.length > 0 && (
        <Card title="Multi-source connections">
          <div className="space-y-4 text-sm">
            <p className="text-slate-500">Each named connection replicates from its own master with its own threads and position.</p>
            {status.connections.map((c) => (
              <section key={c.name} aria-label={`Connection ${c.name}`} data-testid="slave-connection" data-connection={c.name} className="space-y-2 rounded-md border border-slate-200 p-3">
                <h3 className="font-semibold text-slate-700">
                  &apos;{c.name}&apos; ← <span className="font-mono">{String(c.status.Master_Host)}:{String(c.status.Master_Port)}</span>
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
          onSubmit={(input) => run(() => addReplicationUserAction(name, input), () => setDialog(null))}
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
          onSubmit={(input) => run(() => configureMasterAction(name, input), () => setDialog(null))}
          pending={pending}
          error={error?.error}
        />
      )}
      {dialog === "master" && (
        <ConfigureMasterDialog
          masters={masters}
          defaults={status.slave}
          onClose={() => setDialog(null)}
          onSubmit={(input) => run(() => configureMasterAction(name, input), () => setDialog(null))}
          pending={pending}
          error={error?.error}
        />
      )}
    </div>
  );
}

function HealthLine({ health, testId }: { health: ReplicationView["health"]; testId: string }) {
  return (
    <div role="status" data-testid={testId} data-state={health.state} className={`rounded-md border p-3 ${healthStyle[health.state]}`}>
      <p className="font-semibold">
        {health.state.charAt(0).toUpperCase() + health.state.slice(1).replace("-", " ")}
        {health.secondsBehind !== null && health.state === "running" ? ` · ${health.secondsBehind} s behind` : ""}
      </p>
      <p>{health.message}</p>
      {health.hint && <p className="mt-1 text-xs opacity-90">What to do: {health.hint}</p>}
      {health.lastIoError && <p className="mt-1 font-mono text-xs">IO: {health.lastIoError}</p>}
      {health.lastSqlError && <p className="mt-1 font-mono text-xs">SQL: {health.lastSqlError}</p>}
    </div>
  );
}

/** Control slave for the default connection, or for one named connection (then with "Remove connection"). */
function ControlSlave({ disabled, onAction, connection = "" }: { disabled: boolean; onAction: (action: string, count?: number) => void; connection?: string }) {
  const [count, setCount] = useState(1);
  const buttons: [string, string][] = [
    ["full-start", "Full start"],
    ["full-stop", "Full stop"],
    ["start-io", "Start IO thread"],
    ["stop-io", "Stop IO thread"],
    ["start-sql", "Start SQL thread"],
    ["stop-sql", "Stop SQL thread"],
  ];
  const skipId = `skip-count${connection ? `-${connection}` : ""}`;
  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 p-3" aria-label={connection ? `Control slave '${connection}'` : "Control slave"}>
      <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Control slave</legend>
      <div className="flex flex-wrap gap-2">
        {buttons.map(([action, label]) => (
          <Button key={action} variant={action === "full-start" ? "primary" : "secondary"} disabled={disabled} onClick={() => onAction(action)}>
            {label}
          </Button>
        ))}
        {connection ? (
          <Button variant="secondary" disabled={disabled} onClick={() => confirm(`Remove connection '${connection}'? The slave stops replicating from that master.`) && onAction("remove")}>
            Remove connection
          </Button>
        ) : (
          <Button variant="secondary" disabled={disabled} onClick={() => confirm("Reset slave? It forgets its relay logs and position.") && onAction("reset")}>
            Reset slave
          </Button>
        )}
      </div>
      <div className="flex items-center gap-2">
        <label htmlFor={skipId} className="text-slate-600">
          Skip
        </label>
        <input id={skipId} type="number" min={1} value={count} onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))} className="w-20 rounded-md border border-slate-300 px-2 py-1" />
        <Button variant="secondary" disabled={disabled} onClick={() => onAction("skip-errors", count)}>
          Skip errors
        </Button>
        <span className="text-xs text-slate-500">Skipped events are lost on this slave.</span>
      </div>
    </fieldset>
  );
}

function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={title} className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
      <div className="space-y-4 p-5">
        <h2 className="text-lg font-semibold">{title}</h2>
        {children}
      </div>
    </dialog>
  );
}

/** The error line and Cancel / submit buttons every dialog form ends with. */
function DialogActions({ error, pending, onCancel, submitLabel }: { error?: string; pending: boolean; onCancel: () => void; submitLabel: string }) {
  return (
    <>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {submitLabel}
        </Button>
      </div>
    </>
  );
}

function AddUserDialog({ onClose, onSubmit, pending, error }: { onClose: () => void; onSubmit: (i: { user: string; password: string; host: string }) => void; pending: boolean; error?: string }) {
  return (
    <Modal title="Add slave replication user" onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          onSubmit({ user: String(f.get("user")), password: String(f.get("password")), host: String(f.get("host")) });
        }}
      >
        <Field id="repl-user" name="user" label="User name" required maxLength={80} autoComplete="off" />
        <Field id="repl-password" name="password" label="Password" type="password" required autoComplete="new-password" />
        <Field id="repl-host" name="host" label="Host" defaultValue="%" required hint="Where slaves connect from; % allows any host." />
        <p className="text-xs text-slate-500">Grants REPLICATION SLAVE (and REPLICATION CLIENT for status) on *.*.</p>
        <DialogActions error={error} pending={pending} onCancel={onClose} submitLabel="Go" />
      </form>
    </Modal>
  );
}

function ConfigureMasterDialog({
  multiSource = false,
  masters,
  defaults,
  onClose,
  onSubmit,
  pending,
  error,
}: {
  multiSource?: boolean;
  masters: MasterCandidate[];
  defaults: ReplicationView["slave"];
  onClose: () => void;
  onSubmit: (input: unknown) => void;
  pending: boolean;
  error?: string;
}) {
  const [source, setSource] = useState(masters[0]?.name ?? "__other");
  const [mode, setMode] = useState<"gtid" | "binlog">("gtid");
  return (
    <Modal title={multiSource ? "Add source" : "Configure master"} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const target = source === "__other" ? { host: String(f.get("host")), port: Number(f.get("port")) } : { masterEnvironment: source };
          const position = mode === "binlog" ? { logFile: String(f.get("logFile")), logPos: Number(f.get("logPos")) } : {};
          const named = multiSource ? { connection: String(f.get("connection")), ownGtidDomain: f.get("ownGtidDomain") === "on" } : {};
          onSubmit({ ...named, ...target, user: String(f.get("user")), password: String(f.get("password")), mode, ...position });
        }}
      >
        {multiSource && (
          <Field
            id="connection-name"
            name="connection"
            label="Connection name"
            required
            maxLength={64}
            pattern="[A-Za-z0-9_\-]+"
            hint="A named connection (CHANGE MASTER 'name' TO …): this slave keeps its other masters."
            autoComplete="off"
          />
        )}
        <div className="space-y-1">
          <label htmlFor="master-source" className="block text-sm font-medium text-slate-700">
            Master
          </label>
          <select id="master-source" value={source} onChange={(e) => setSource(e.target.value)} className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm">
            {masters.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} ({m.host}:{m.port})
              </option>
            ))}
            <option value="__other">Other host…</option>
          </select>
        </div>
        {source === "__other" && (
          <div className="grid grid-cols-[2fr_1fr] gap-2">
            <Field id="master-host" name="host" label="Host" required defaultValue={defaults ? String(defaults.Master_Host ?? "") : ""} />
            <Field id="master-port" name="port" label="Port" type="number" required defaultValue={defaults ? String(defaults.Master_Port ?? 3306) : "3306"} />
          </div>
        )}
        <Field id="master-user" name="user" label="Replication user" required defaultValue={defaults ? String(defaults.Master_User ?? "") : ""} autoComplete="off" />
        <Field id="master-password" name="password" label="Replication password" type="password" required autoComplete="off" />
        <fieldset className="space-y-1 text-sm">
          <legend className="font-medium text-slate-700">Start position</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === "gtid"} onChange={() => setMode("gtid")} /> GTID (slave_pos) — recommended
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === "binlog"} onChange={() => setMode("binlog")} /> Binary log file and position
          </label>
        </fieldset>
        {mode === "binlog" && (
          <div className="grid grid-cols-[2fr_1fr] gap-2">
            <Field id="log-file" name="logFile" label="Log file" placeholder="mysql-bin.000001" required />
            <Field id="log-pos" name="logPos" label="Position" type="number" min={4} required />
          </div>
        )}
        {multiSource && (
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="ownGtidDomain" defaultChecked className="mt-1" />
            <span>
              Give the master its own GTID domain if another source already writes the same one (gtid-domain-id, no restart; a master without slaves and
              databases also gets a fresh binary log)
            </span>
          </label>
        )}
        <DialogActions error={error} pending={pending} onCancel={onClose} submitLabel="Save" />
      </form>
    </Modal>
  );
}
