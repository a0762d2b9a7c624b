import type { RuntimeDriver } from "./driver";
import { DockerDriver, type DockerHostSpec } from "./docker";
import { LocalDriver } from "./local";

const g = globalThis as unknown as { marinerDrivers?: Map<string, RuntimeDriver>; marinerDockerHosts?: Map<string, DockerHostSpec> };
const drivers = (g.marinerDrivers ??= new Map());
const dockerHosts = (g.marinerDockerHosts ??= new Map<string, DockerHostSpec>());

export const RUNTIMES = ["local", "docker"] as const;

/** Registered Docker engines, as the drivers see them (kept in sync by lib/runtime/hosts.ts). */
export function setDockerHosts(hosts: DockerHostSpec[]) {
  dockerHosts.clear();
  for (const h of hosts) dockerHosts.set(h.name, h);
  for (const key of [...drivers.keys()]) if (key.startsWith("docker:")) drivers.delete(key);
}

export function dockerHostNames(): string[] {
  return [...dockerHosts.keys()];
}

/** "local", or "docker:<host name>" — the runtime string stored on each environment. */
export function driverFor(kind: string): RuntimeDriver {
  let d = drivers.get(kind);
  if (!d) {
    if (kind === "local") d = new LocalDriver();
    else if (kind.startsWith("docker:")) {
      const host = dockerHosts.get(kind.slice("docker:".length));
      if (!host) throw new Error(`Docker host "${kind.slice(7)}" is not registered`);
      d = new DockerDriver(host);
    } else throw new Error(`Unknown runtime "${kind}"`);
    drivers.set(kind, d);
  }
  return d;
}
