// A three-node Docker Swarm for tests and the bench: three remote hosts (scripts/remote-host.sh, each its own
// network namespace with a TLS engine whose certificates the console issued), formed into a Swarm by
// scripts/swarm.sh; the console gets the manager's TLS endpoint and client credentials, as an admin would.
import { execFileSync } from "node:child_process";
import type { Actor } from "../../lib/auth/actor";
import { remoteHost, startRemoteHost } from "./remote-hosts";

export const SWARM_NODES = [
  { name: "f", address: "10.231.0.6" },
  { name: "g", address: "10.231.0.7" },
  { name: "h", address: "10.231.0.8" },
];

export async function startSwarm(actor: Actor, certRoot: string) {
  let client: Awaited<ReturnType<typeof startRemoteHost>> | undefined;
  for (const n of SWARM_NODES) {
    const issued = await startRemoteHost(actor, n.name, n.address, `${certRoot}/${n.name}`);
    client ??= issued;
  }
  execFileSync("bash", ["scripts/swarm.sh", "form", ...SWARM_NODES.flatMap((n) => [n.name, n.address])], {
    stdio: "inherit",
  });
  return { endpoint: `tcp://${SWARM_NODES[0].address}:2376`, tls: client! };
}

export function stopSwarm() {
  for (const n of SWARM_NODES) remoteHost("stop", n.name);
}
