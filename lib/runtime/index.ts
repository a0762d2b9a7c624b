import type { RuntimeDriver } from "./driver";
import { DockerDriver, type DockerHostSpec } from "./docker";
import { LocalDriver } from "./local";
import { parseRuntime, storedRuntime, type Runtime } from "./runtime";
import { SwarmDriver } from "./swarm";

const g = globalThis as unknown as {
  marinerDrivers?: Map<string, RuntimeDriver>;
  marinerDockerHosts?: Map<string, DockerHostSpec>;
  marinerSwarms?: Map<string, DockerHostSpec>;
};
const drivers = (g.marinerDrivers ??= new Map());
const dockerHosts = (g.marinerDockerHosts ??= new Map<string, DockerHostSpec>());
const swarms = (g.marinerSwarms ??= new Map<string, DockerHostSpec>());

export const RUNTIMES = ["local", "docker", "swarm"] as const;

/** Registered Docker engines and Swarms, as the drivers see them (kept in sync by lib/runtime/hosts.ts). */
export function setDockerHosts(hosts: DockerHostSpec[], clusters: DockerHostSpec[] = []) {
  dockerHosts.clear();
  swarms.clear();
  for (const h of hosts) dockerHosts.set(h.name, h);
  for (const s of clusters) swarms.set(s.name, s);
  for (const key of [...drivers.keys()]) if (parseRuntime(key).kind !== "local") drivers.delete(key);
}

export function dockerHostNames(): string[] {
  return [...dockerHosts.keys()];
}

export function swarmNames(): string[] {
  return [...swarms.keys()];
}

function newDriver(value: Runtime): RuntimeDriver {
  if (value.kind === "local") return new LocalDriver();
  if (value.kind === "swarm") {
    const swarm = swarms.get(value.cluster);
    if (!swarm) throw new Error(`Swarm "${value.cluster}" is not registered`);
    return new SwarmDriver(swarm);
  }
  const host = dockerHosts.get(value.host);
  if (!host) throw new Error(`Docker host "${value.host}" is not registered`);
  return new DockerDriver(host);
}

/** The driver of a runtime: its value, or the form stored on an environment row. One driver per runtime. */
export function driverFor(runtime: Runtime | string): RuntimeDriver {
  const value = typeof runtime === "string" ? parseRuntime(runtime) : runtime;
  const key = storedRuntime(value);
  let d = drivers.get(key);
  if (!d) {
    d = newDriver(value);
    drivers.set(key, d);
  }
  return d;
}
