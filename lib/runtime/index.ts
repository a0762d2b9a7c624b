import type { RuntimeDriver } from "./driver";
import { DockerDriver, type DockerHostSpec } from "./docker";
import { LocalDriver } from "./local";
import { parseRuntime, storedRuntime, type Runtime } from "./runtime";

const g = globalThis as unknown as {
  marinerDrivers?: Map<string, RuntimeDriver>;
  marinerDockerHosts?: Map<string, DockerHostSpec>;
};
const drivers = (g.marinerDrivers ??= new Map());
const dockerHosts = (g.marinerDockerHosts ??= new Map<string, DockerHostSpec>());

export const RUNTIMES = ["local", "docker"] as const;

/** Registered Docker engines, as the drivers see them (kept in sync by lib/runtime/hosts.ts). */
export function setDockerHosts(hosts: DockerHostSpec[]) {
  dockerHosts.clear();
  for (const h of hosts) dockerHosts.set(h.name, h);
  for (const key of [...drivers.keys()]) if (parseRuntime(key).kind === "docker") drivers.delete(key);
}

export function dockerHostNames(): string[] {
  return [...dockerHosts.keys()];
}

/** The driver of a runtime: its value, or the form stored on an environment row. One driver per runtime. */
export function driverFor(runtime: Runtime | string): RuntimeDriver {
  const value = typeof runtime === "string" ? parseRuntime(runtime) : runtime;
  const key = storedRuntime(value);
  let d = drivers.get(key);
  if (!d) {
    if (value.kind === "local") d = new LocalDriver();
    else {
      const host = dockerHosts.get(value.host);
      if (!host) throw new Error(`Docker host "${value.host}" is not registered`);
      d = new DockerDriver(host);
    }
    drivers.set(key, d);
  }
  return d;
}
