// The topology tells the endpoints where to send traffic (the proxy never discovers it itself): the master for
// writes, its running slaves for reads — when they are made, and after a switchover or failover.
import type { Actor } from "@/lib/auth/actor";
import { getEnvironment, listEnvironments, primaryNode } from "@/lib/environments/service";
import * as proxy from "@/lib/proxy/endpoints";
import { discoverTopology } from "./discover";

export async function endpointTargets(actor: Actor, master: string): Promise<proxy.EndpointTargets> {
  await getEnvironment(actor, master);
  const envs = await listEnvironments(actor);
  const topology = await discoverTopology(actor, envs);
  const node = (name: string) => {
    const env = envs.find((e) => e.name === name)!;
    return { host: primaryNode(env).host, port: primaryNode(env).port };
  };
  const readers = topology.edges
    .filter((e) => e.from === master && e.health.state === "running")
    .map((e) => node(e.to));
  return { writer: node(master), readers };
}

/** Writer and reader endpoints for a master, pointed at it and its running slaves. */
export const createEndpoints = (actor: Actor, masterName: string, raw: unknown) =>
  proxy.createEndpoints(actor, masterName, raw, (master) => endpointTargets(actor, master));

/** After a switchover or failover: the old master's endpoints send writes to the new one. */
export const followNewMaster = (actor: Actor, oldMaster: string, newMaster: string) =>
  proxy.pointEndpoints(actor, oldMaster, newMaster, (master) => endpointTargets(actor, master));
