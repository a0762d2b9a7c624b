"use client";
import { useState } from "react";
import {
  addSlavesAction,
  cloneAction,
  failoverAction,
  failoverPolicyAction,
  filtersAction,
  makeMasterAction,
  moveAction,
  switchoverAction,
  type Started,
} from "@/app/(console)/environments/[name]/topology/actions";
import { useOperations } from "@/components/environments/use-operations";
import { Button } from "@/components/ui/button";
import { Modal } from "@/components/ui/modal";
import { FailoverPolicyForm } from "./failover-policy-form";
import { CandidatesTable } from "./candidates-table";
import { FiltersForm } from "./filters-form";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { CopyMethodSelect, copyMethodHint } from "@/components/environments/copy-method-select";
import type { Preflight } from "@/lib/topology";

interface Props {
  name: string;
  running: boolean;
  facts: { logBin: boolean; logSlaveUpdates: boolean; readOnly: boolean } | null;
  master: string | null;
  /** Multi-source: the named connections of this slave. */
  namedSources: { from: string; connection: string; state: string }[];
  slaves: string[];
  filters: Record<string, string>;
  /** The my.cnf revision the filters were read with: saving them on top of a newer my.cnf is refused. */
  configRevision?: string;
  preflight: Preflight | null;
  moveTargets: string[];
  autoFailover: boolean;
  confirmMs: number;
  failoverPolicyRevision: number;
  /** Whether the runtime can copy data files (mariadb-backup) for Add slave and Clone. */
  physicalCopy: boolean;
}

export function EnvironmentTopology(p: Props) {
  const { pending, start: started, finish: finished, panel } = useOperations();
  const [confirm, setConfirm] = useState<{ title: string; body: string; run: () => Promise<Started> } | null>(null);

  const ask = (c: NonNullable<typeof confirm>) => setConfirm(c);

  return (
    <div className="space-y-4">
      {panel}

      {(!p.running || !p.facts) && (
        <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
          {p.name} is not running
          {p.preflight ? ": its slaves can take over (failover below)." : "; start it to change its topology."}
        </p>
      )}
      {p.facts && (
        <div className="grid gap-4 lg:grid-cols-2">
          <Card title="Scale out">
            <form
              className="flex items-end gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                const f = new FormData(e.currentTarget);
                const count = Number(f.get("count"));
                const method = String(f.get("method"));
                started(`Adding ${count} slave(s) to ${p.name}`, () => addSlavesAction(p.name, count, method));
              }}
            >
              <div className="w-28">
                <Field
                  id="slave-count"
                  name="count"
                  label="Slaves"
                  type="number"
                  min={1}
                  max={10}
                  defaultValue={1}
                  required
                />
              </div>
              <CopyMethodSelect id="add-slave-method" physical={p.physicalCopy} />
              <Button type="submit" disabled={pending || !p.facts!.logBin}>
                Add slave
              </Button>
            </form>
            <p className="mt-2 text-xs text-slate-500">
              {p.facts!.logBin
                ? `Each new slave gets a consistent copy of this server's data and replicates from its GTID position. ${copyMethodHint(p.physicalCopy)}`
                : "Binary logging is off on this server: enable it on the Replication tab first."}
            </p>
          </Card>

          <Card title="Clone">
            <form
              className="flex flex-wrap items-end gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                const f = new FormData(e.currentTarget);
                const cloneName = String(f.get("cloneName"));
                started(`Cloning ${p.name} to ${cloneName}`, () =>
                  cloneAction(p.name, cloneName, f.get("asSlave") === "on", String(f.get("method"))),
                );
              }}
            >
              <div className="w-48">
                <Field id="clone-name" name="cloneName" label="New environment" required maxLength={40} />
              </div>
              <label className="flex items-center gap-2 pb-2 text-sm">
                <input type="checkbox" name="asSlave" disabled={!p.facts!.logBin} /> as a slave of {p.name}
              </label>
              <CopyMethodSelect id="clone-method" physical={p.physicalCopy} />
              <Button type="submit" disabled={pending}>
                Clone
              </Button>
            </form>
          </Card>

          {p.namedSources.length > 0 && (
            <Card title="Multi-source">
              <ul className="space-y-1 text-sm" data-testid="named-sources">
                {p.namedSources.map((n) => (
                  <li key={n.connection}>
                    Connection <span className="font-mono">&apos;{n.connection}&apos;</span> from{" "}
                    <strong>{n.from}</strong> — {n.state}
                  </li>
                ))}
              </ul>
              <p className="mt-2 text-xs text-slate-500">
                Named connections are controlled on the Replication tab. Move, switchover and failover act on the
                default connection only.
              </p>
            </Card>
          )}

          {p.master && (
            <Card title={`Slave of ${p.master}`}>
              <form
                className="flex items-end gap-3"
                onSubmit={(e) => {
                  e.preventDefault();
                  const target = String(new FormData(e.currentTarget).get("target"));
                  finished(`${p.name} now replicates from ${target}.`, () => moveAction(p.name, target));
                }}
              >
                <div className="space-y-1">
                  <label htmlFor="move-target" className="block text-sm font-medium text-slate-700">
                    Move under
                  </label>
                  <select
                    id="move-target"
                    name="target"
                    className="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
                  >
                    {p.moveTargets.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </div>
                <Button type="submit" disabled={pending}>
                  Move
                </Button>
              </form>
              <FiltersForm
                filters={p.filters}
                pending={pending}
                save={(doDb, ignoreDb) =>
                  finished("Filters saved (server restarted).", () =>
                    filtersAction(p.name, {
                      doDb,
                      ignoreDb,
                      wildDoTable: [],
                      wildIgnoreTable: [],
                      baseRevision: p.configRevision,
                    }),
                  )
                }
              />
            </Card>
          )}

          {(!p.facts.logBin || (p.master && !p.facts.logSlaveUpdates)) && (
            <Card title="Feed other slaves">
              <p className="mb-2 text-sm text-slate-600">
                To be a master (or the middle of a chain) this server needs its binary log with replicated events
                (log-bin + log-slave-updates).
              </p>
              <Button
                disabled={pending}
                onClick={() => finished(`${p.name} can now feed other slaves.`, () => makeMasterAction(p.name))}
              >
                Make it a master
              </Button>
            </Card>
          )}
        </div>
      )}

      {p.preflight && (
        <Card title="Switchover and failover">
          <div className="space-y-3 text-sm" data-testid="preflight">
            <p>
              Master <strong>{p.preflight.master}</strong> is {p.preflight.masterAlive ? "alive" : "not reachable"}
              {p.preflight.masterPosition ? ` at ${p.preflight.masterPosition}` : ""}.
            </p>
            <CandidatesTable candidates={p.preflight.candidates} />
            {p.preflight.blocked ? (
              <p role="alert" className="text-red-700">
                Blocked: {p.preflight.blocked}
              </p>
            ) : (
              <p>
                Would promote <strong>{p.preflight.chosen}</strong>
                {p.preflight.masterAlive && p.preflight.expectedReadOnlyMs !== null
                  ? ` — expected read-only window about ${p.preflight.expectedReadOnlyMs} ms`
                  : ""}
                .{p.preflight.lost !== null && !p.preflight.masterAlive && ` Transactions lost: ${p.preflight.lost}.`}
              </p>
            )}
            {p.preflight.acknowledged && <p data-testid="acknowledged">{p.preflight.acknowledged}</p>}
            <div className="flex gap-2">
              {p.preflight.masterAlive ? (
                <Button
                  disabled={pending || !!p.preflight.blocked}
                  onClick={() =>
                    ask({
                      title: `Switch over to ${p.preflight!.chosen}?`,
                      body: `${p.name} becomes read-only, ${p.preflight!.chosen} becomes the master once it has executed everything, the other slaves follow it and ${p.name} becomes its slave.`,
                      run: () => switchoverAction(p.name, p.preflight!.chosen!, true),
                    })
                  }
                >
                  Switchover…
                </Button>
              ) : (
                <Button
                  variant="danger"
                  disabled={pending || !!p.preflight.blocked}
                  onClick={() =>
                    ask({
                      title: `Fail over to ${p.preflight!.chosen}?`,
                      body: `${p.name} is considered dead. ${p.preflight!.chosen} is promoted, the other slaves follow it, and ${p.name} is kept stopped so it never returns as a second master. ${p.preflight!.acknowledged ?? ""}`,
                      run: () => failoverAction(p.name),
                    })
                  }
                >
                  Failover…
                </Button>
              )}
            </div>
            <FailoverPolicyForm
              name={p.name}
              autoFailover={p.autoFailover}
              confirmMs={p.confirmMs}
              revision={p.failoverPolicyRevision}
              pending={pending}
              save={(auto, confirm, revision) =>
                finished("Failover policy saved.", () => failoverPolicyAction(p.name, auto, confirm, revision))
              }
            />
          </div>
        </Card>
      )}

      {confirm && (
        <Modal title={confirm.title} onClose={() => setConfirm(null)}>
          <p className="text-sm text-slate-600">{confirm.body}</p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirm(null)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                setConfirm(null);
                started(confirm.title.replace("?", ""), confirm.run);
              }}
            >
              Yes, do it
            </Button>
          </div>
        </Modal>
      )}
    </div>
  );
}
