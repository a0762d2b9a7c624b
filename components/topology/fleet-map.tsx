"use client";
import dynamic from "next/dynamic";
import { useMemo, useState, useTransition } from "react";
import { dropAction, planDropAction } from "@/app/(console)/topology/actions";
import { useOperations } from "@/components/environments/use-operations";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { Button } from "@/components/ui/button";
import { ChoiceSelect } from "@/components/ui/choice-select";
import { Modal } from "@/components/ui/modal";
import type { FleetMap as Fleet } from "@/lib/topology/map-model";
import { filterFleet, type FleetFilters } from "@/lib/topology/fleet-filters";

// The Topology page's map with its search, filters and refactoring (drag-and-drop, or the node's menu).
// The graph library loads after the page, in its own chunk: no other page carries it.
const MapCanvas = dynamic(() => import("./map-canvas"), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-slate-500">Loading the map…</p>,
});

interface Planned {
  server: string;
  target: string | null;
  summary: string;
}

export function FleetMap({ map, initial, owners }: { map: Fleet; initial: FleetFilters; owners: string[] }) {
  const [filters, setFilters] = useState(initial);
  const [query, setQuery] = useState(initial.q);
  const [focus, setFocus] = useState<{ id: string; nonce: number } | null>(null);
  const [fitNonce, setFitNonce] = useState(0);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [planned, setPlanned] = useState<Planned | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [planning, startPlanning] = useTransition();
  const ops = useOperations();
  const shown = useMemo(() => filterFleet(map, filters), [map, filters]);
  const matches = useMemo(() => {
    const q = filters.q.trim().toLowerCase();
    if (!q) return [];
    return shown.servers.filter((s) => s.name.toLowerCase().includes(q) || `${s.host}:${s.port}`.includes(q));
  }, [shown, filters.q]);
  const highlight = useMemo(() => new Set(matches.map((m) => m.id)), [matches]);
  const runtimes = [...new Set(map.servers.map((s) => s.runtime))].sort();

  function search(q: string) {
    setFilters((f) => ({ ...f, q }));
    const first = filterFleet(map, { ...filters, q }).servers.find(
      (s) => q && (s.name.toLowerCase().includes(q.toLowerCase()) || `${s.host}:${s.port}`.includes(q)),
    );
    if (first) setFocus({ id: first.id, nonce: Date.now() });
  }

  function plan(server: string, target: string | null) {
    setMenuFor(null);
    setRefusal(null);
    const current = map.servers.find((s) => s.mine && s.name === server)?.master;
    if (target !== null && target === current) return; // dropped back where it was
    startPlanning(async () => {
      const res = await planDropAction(server, target);
      if (!res.ok) setRefusal(res.error);
      else if (res.refusal)
        setRefusal(
          `${target === null ? `Cannot detach ${server}` : `Cannot move ${server} under ${target}`}: ${res.refusal}`,
        );
      else setPlanned({ server, target, summary: res.summary });
    });
  }

  function confirm(p: Planned) {
    setPlanned(null);
    const title = p.target === null ? `Detaching ${p.server}` : `Moving ${p.server} under ${p.target}`;
    ops.start(title, () => dropAction(p.server, p.target));
  }

  const others = map.servers.filter((s) => s.mine && s.name !== menuFor).map((s) => s.name);
  return (
    <div className="space-y-3">
      <AutoRefresh intervalMs={4000} paused={planned !== null || menuFor !== null || ops.pending} />
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            search(query);
          }}
          className="flex items-center gap-1"
        >
          <input
            aria-label="Search servers"
            placeholder="Name or address"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            className="w-52 rounded-md border border-slate-300 px-2 py-1"
          />
          <Button type="submit" variant="secondary">
            Find
          </Button>
        </form>
        {filters.q && (
          <span data-testid="search-result" className="text-slate-600">
            {matches.length ? `${matches.length} match${matches.length > 1 ? "es" : ""}` : "No server matches"}
          </span>
        )}
        <label className="flex items-center gap-1">
          <input
            type="checkbox"
            checked={filters.problems}
            onChange={(e) => setFilters((f) => ({ ...f, problems: e.target.checked }))}
          />
          Problems only
        </label>
        {owners.length > 1 && (
          <ChoiceSelect
            label="Owner"
            every="Every owner"
            choices={owners}
            value={filters.owner}
            onChange={(e) => setFilters((f) => ({ ...f, owner: e.target.value }))}
          />
        )}
        {runtimes.length > 1 && (
          <ChoiceSelect
            label="Runtime"
            every="Every runtime"
            choices={runtimes}
            value={filters.runtime}
            onChange={(e) => setFilters((f) => ({ ...f, runtime: e.target.value }))}
          />
        )}
        <Button type="button" variant="secondary" onClick={() => setFitNonce((n) => n + 1)}>
          Fit
        </Button>
        <span className="ml-auto text-xs text-slate-500" data-testid="observed-age">
          {shown.servers.length} of {map.servers.length} servers · observed {map.ageSeconds} s ago
        </span>
      </div>
      {planning && <p className="text-sm text-slate-500">Checking that move…</p>}
      {refusal && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          {refusal}. Nothing was changed.
        </p>
      )}
      {ops.panel}
      <div data-testid="topology-graph" className="h-[70vh] min-h-[420px] rounded-lg border border-slate-200 bg-white">
        {shown.servers.length ? (
          <MapCanvas
            map={shown}
            highlight={highlight}
            focus={focus}
            fitNonce={fitNonce}
            onDrop={plan}
            onMenu={setMenuFor}
          />
        ) : (
          <p className="p-4 text-sm text-slate-500">
            {map.servers.length ? "No server matches these filters." : "No environments yet."}
          </p>
        )}
      </div>
      <p className="text-xs text-slate-500">
        Green: replicating (lag shown) · amber dashes: connecting · grey dashes: stopped · red: error or a problem. Drag
        a slave onto another server to move it under that server, or onto empty space to detach it; or use its ⋯ menu.
        Click a server to open it.
      </p>
      {menuFor && (
        <Modal title={`Actions for ${menuFor}`} onClose={() => setMenuFor(null)}>
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              plan(menuFor, String(new FormData(e.currentTarget).get("target")));
            }}
          >
            <label className="block text-sm font-medium text-slate-700">
              Move under
              <select name="target" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1">
                {others.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </label>
            <div className="flex justify-between gap-2">
              <Button type="button" variant="secondary" onClick={() => plan(menuFor, null)}>
                Detach…
              </Button>
              <div className="flex gap-2">
                <Button type="button" variant="secondary" onClick={() => setMenuFor(null)}>
                  Cancel
                </Button>
                <Button type="submit">Move…</Button>
              </div>
            </div>
          </form>
        </Modal>
      )}
      {planned && (
        <Modal
          title={
            planned.target === null ? `Detach ${planned.server}?` : `Move ${planned.server} under ${planned.target}?`
          }
          onClose={() => setPlanned(null)}
        >
          <p className="text-sm text-slate-700">{planned.summary}</p>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setPlanned(null)}>
              Cancel
            </Button>
            <Button type="button" onClick={() => confirm(planned)}>
              {planned.target === null ? "Yes, detach it" : "Yes, move it"}
            </Button>
          </div>
        </Modal>
      )}
    </div>
  );
}
