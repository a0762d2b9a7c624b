import type { FleetMap } from "./map-model";

// The map's filters, also read from the address (the header summary links to /topology?problems=1).

export interface FleetFilters {
  q: string;
  problems: boolean;
  owner: string;
  runtime: string;
}

export function fleetFiltersFrom(params: Record<string, string | string[] | undefined>): FleetFilters {
  const one = (k: string) => (typeof params[k] === "string" ? (params[k] as string) : "");
  return { q: one("q"), problems: one("problems") === "1", owner: one("owner"), runtime: one("runtime") };
}

/**
 * The servers the filters keep, with the links between them. "Problems only" keeps whole clusters that have a
 * problem somewhere, so each problem is seen with its master and slaves.
 */
export function filterFleet(map: FleetMap, f: FleetFilters): FleetMap {
  const troubled = new Set(map.servers.filter((s) => s.problems.length).map((s) => s.cluster));
  const servers = map.servers.filter(
    (s) =>
      (!f.problems || troubled.has(s.cluster)) &&
      (!f.owner || s.owner === f.owner) &&
      (!f.runtime || s.runtime === f.runtime),
  );
  if (servers.length === map.servers.length) return map;
  const kept = new Set(servers.map((s) => s.id));
  return { ...map, servers, links: map.links.filter((l) => kept.has(l.source) && kept.has(l.target)) };
}
