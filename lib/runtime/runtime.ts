/**
 * Where an environment's servers (and its endpoints' HAProxy) run. Stored on each row in one string form that only
 * this module reads or writes; everything else holds the parsed value and asks lib/runtime for what it needs.
 * A Kubernetes runtime would be one more variant here plus its driver.
 */
export type Runtime = { kind: "local" } | { kind: "docker"; host: string } | { kind: "swarm"; cluster: string };

export const LOCAL: Runtime = { kind: "local" };

const DOCKER_PREFIX = "docker:";
const SWARM_PREFIX = "swarm:";

export function parseRuntime(stored: string): Runtime {
  if (stored === "local") return LOCAL;
  if (stored.startsWith(DOCKER_PREFIX) && stored.length > DOCKER_PREFIX.length)
    return { kind: "docker", host: stored.slice(DOCKER_PREFIX.length) };
  if (stored.startsWith(SWARM_PREFIX) && stored.length > SWARM_PREFIX.length)
    return { kind: "swarm", cluster: stored.slice(SWARM_PREFIX.length) };
  throw new Error(`Unknown runtime "${stored}"`);
}

/** The form stored on environments and endpoints (and shown as is in lists and the API). */
export function storedRuntime(runtime: Runtime): string {
  if (runtime.kind === "local") return "local";
  return runtime.kind === "docker" ? `${DOCKER_PREFIX}${runtime.host}` : `${SWARM_PREFIX}${runtime.cluster}`;
}

/** The Docker engine a stored runtime lives on, or null for local processes. */
export function dockerHostOf(stored: string): string | null {
  const runtime = parseRuntime(stored);
  return runtime.kind === "docker" ? runtime.host : null;
}

/** The Swarm a stored runtime lives on, or null. */
export function swarmOf(stored: string): string | null {
  const runtime = parseRuntime(stored);
  return runtime.kind === "swarm" ? runtime.cluster : null;
}

/** In words, for pages: "HAProxy process" / "HAProxy container on a". */
export function placementLabel(stored: string, what: string): string {
  const host = dockerHostOf(stored);
  return host ? `${what} container on ${host}` : `${what} process`;
}
