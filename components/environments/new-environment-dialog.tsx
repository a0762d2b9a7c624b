"use client";
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import { createEnvironmentAction } from "@/app/(console)/environments/actions";
import { createClusterAction } from "@/app/(console)/galera/actions";
import { Button } from "@/components/ui/button";
import { ErrorLines } from "@/components/ui/error-lines";
import { Field } from "@/components/ui/field";
import { OperationProgress, type OperationView } from "./operation-progress";

const STEPS = ["allocating", "initializing data directory", "starting", "ready"];
const MEMORY_CHOICES = [256, 512, 1024, 2048, 4096];
/** What the Topology choice makes: one server, or a Galera cluster of that many members (local runtime). */
const TOPOLOGIES = [
  { label: "Single server", nodes: 0 },
  { label: "Galera cluster — 3 nodes", nodes: 3 },
  { label: "Galera cluster — 5 nodes", nodes: 5 },
];

export function NewEnvironmentDialog({
  engineVersion,
  dockerHosts = [],
  swarms = [],
  quotaSummary,
}: {
  engineVersion: string | null;
  dockerHosts?: string[];
  swarms?: string[];
  /** "2 of 20 environments · 512 MB of 8192 MB"; absent for admins (no quota). */
  quotaSummary?: string;
}) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; path: string } | null>(null);
  const [galera, setGalera] = useState(false);
  const [error, setError] = useState<{ error: string; lines?: string[] } | null>(null);
  const [pending, setPending] = useState(false);
  const [finished, setFinished] = useState(false);
  // What the Runtime choice sends: the same input the API takes, never a runtime string to take apart.
  const placements: { label: string; input: { runtime?: "docker" | "swarm"; host?: string } }[] = [
    { label: "Local processes (this machine)", input: {} },
    ...(dockerHosts.length ? [{ label: "Docker — least-loaded host", input: { runtime: "docker" as const } }] : []),
    ...dockerHosts.map((host) => ({ label: `Docker — host ${host}`, input: { runtime: "docker" as const, host } })),
    ...swarms.map((host) => ({ label: `Swarm — ${host}`, input: { runtime: "swarm" as const, host } })),
  ];

  function open() {
    setOperationId(null);
    setError(null);
    setFinished(false);
    setGalera(false);
    dialog.current?.showModal();
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    setPending(true);
    setError(null);
    const placement = placements[Number(form.get("placement") ?? 0)] ?? placements[0];
    const nodes = TOPOLOGIES[Number(form.get("topology") ?? 0)]?.nodes ?? 0;
    const memoryMb = Number(form.get("memoryMb"));
    const res = nodes
      ? await createClusterAction({ name, nodes, memoryMb })
      : await createEnvironmentAction({ name, memoryMb, ...placement.input });
    setPending(false);
    if (res.ok) {
      setCreated({ name, path: nodes ? `/galera/${name}` : `/environments/${name}` });
      setOperationId(res.operationId);
      router.refresh();
    } else setError(res);
  }

  const onDone = useCallback(
    (op: OperationView) => {
      setFinished(true);
      router.refresh();
      if (op.status === "succeeded" && created) {
        dialog.current?.close();
        router.push(created.path);
      }
    },
    [created, router],
  );

  return (
    <>
      <Button onClick={open}>New environment</Button>
      <dialog ref={dialog} aria-labelledby="new-env-title" className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
        <div className="space-y-4 p-5">
          <h2 id="new-env-title" className="text-lg font-semibold">
            New environment
          </h2>
          {operationId ? (
            <>
              <p className="text-sm text-slate-600">
                Creating <strong>{created?.name}</strong>…
              </p>
              <OperationProgress operationId={operationId} expectedSteps={galera ? undefined : STEPS} onDone={onDone} />
              {finished && (
                <div className="flex justify-end">
                  <Button variant="secondary" onClick={() => dialog.current?.close()}>
                    Close
                  </Button>
                </div>
              )}
            </>
          ) : (
            <form onSubmit={onSubmit} className="space-y-4">
              <div className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
                Database: <strong>MariaDB {engineVersion ?? "(server binaries not installed)"}</strong>
                {quotaSummary && <p className="mt-1 text-xs">Your quota: {quotaSummary}</p>}
              </div>
              <div className="space-y-1">
                <label htmlFor="env-topology" className="block text-sm font-medium text-slate-700">
                  Topology
                </label>
                <select
                  id="env-topology"
                  name="topology"
                  defaultValue="0"
                  onChange={(e) => setGalera(Number(e.target.value) > 0)}
                  className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
                >
                  {TOPOLOGIES.map((t, i) => (
                    <option key={t.label} value={i}>
                      {t.label}
                    </option>
                  ))}
                </select>
                {galera && (
                  <p className="text-xs text-slate-500">
                    Multi-master: every node takes writes and holds all the data. Nodes are named NAME-1, NAME-2, … and
                    run as local processes, each on its own address.
                  </p>
                )}
              </div>
              <div className="space-y-1">
                <label htmlFor="env-placement" className="block text-sm font-medium text-slate-700">
                  Runtime
                </label>
                <select
                  id="env-placement"
                  name="placement"
                  defaultValue="0"
                  disabled={galera}
                  className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
                >
                  {placements.map((p, i) => (
                    <option key={p.label} value={i}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </div>
              <Field
                id="env-name"
                name="name"
                label="Name"
                placeholder="masterbase"
                required
                maxLength={40}
                autoComplete="off"
                hint="Lowercase letters, digits and hyphens; starts with a letter."
              />
              <div className="space-y-1">
                <label htmlFor="env-memory" className="block text-sm font-medium text-slate-700">
                  Memory limit
                </label>
                <select
                  id="env-memory"
                  name="memoryMb"
                  defaultValue={256}
                  className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
                >
                  {MEMORY_CHOICES.map((mb) => (
                    <option key={mb} value={mb}>
                      {mb} MB
                    </option>
                  ))}
                </select>
                <p className="text-xs text-slate-500">
                  Sizes the InnoDB buffer pool and caches so many environments fit on one machine.
                </p>
              </div>
              {error && <ErrorLines message={error.error} lines={error.lines} />}
              <div className="flex justify-end gap-2">
                <Button type="button" variant="secondary" onClick={() => dialog.current?.close()}>
                  Cancel
                </Button>
                <Button type="submit" disabled={pending || !engineVersion}>
                  {pending ? "Creating…" : "Create"}
                </Button>
              </div>
            </form>
          )}
        </div>
      </dialog>
    </>
  );
}
