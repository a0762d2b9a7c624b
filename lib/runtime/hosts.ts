import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/errors";
import { environmentName } from "@/lib/names";
import { decryptSecret, encryptSecret } from "@/lib/secrets";
import { parseInput } from "@/lib/validation";
import type { DockerHost } from "@/generated/prisma/client";
import { DockerDriver, type DockerHostSpec } from "./docker";
import { SwarmDriver } from "./swarm";
import { swarmNodesOf } from "./swarm-nodes";
import { dockerHostNames, driverFor, setDockerHosts } from "./index";
import { dockerHostOf, storedRuntime, type Runtime } from "./runtime";

const pem = (what: string) =>
  z
    .string()
    .trim()
    .max(20_000)
    .regex(/^-----BEGIN [A-Z ]+-----\n[\s\S]+\n-----END [A-Z ]+-----$/, `${what} must be a PEM block`);

export const hostInput = z
  .strictObject({
    name: environmentName,
    /** "swarm": the endpoint is a Swarm manager; servers go to its nodes (each at its own address). */
    kind: z.enum(["engine", "swarm"], { error: "Kind must be engine or swarm" }).optional(),
    endpoint: z
      .string()
      .regex(
        /^(unix:\/\/\/[\w./-]+|tcp:\/\/[\w.-]+:\d{1,5})$/,
        "Endpoint must be unix:///path/to/docker.sock or tcp://host:2376",
      ),
    image: z
      .string()
      .regex(/^[\w./:-]{1,200}$/, "Image must be a local tag such as mariner/mariadb:10.11")
      .optional(),
    /** Where applications and other hosts reach this host's servers; defaults to a tcp:// endpoint's address. */
    advertisedAddress: z
      .ipv4({ error: "Advertised address must be an IPv4 address" })
      .refine((a) => !/^(0\.|255\.255\.255\.255$|22[4-9]\.|23\d\.)/.test(a), {
        error: "Advertised address must be a unicast address of that machine (not 0.0.0.0, broadcast or multicast)",
      })
      .optional(),
    tls: z
      .strictObject({ ca: pem("CA certificate"), cert: pem("Client certificate"), key: pem("Client key") })
      .optional(),
  })
  .refine((h) => h.kind !== "swarm" || !h.advertisedAddress, {
    message: "A Swarm's servers are reached at each node's own address: leave the advertised address empty",
    path: ["advertisedAddress"],
  })
  .refine((h) => !h.endpoint.startsWith("tcp://") || h.tls, {
    // A plain-TCP engine API is root on that machine for anyone who reaches the port.
    message: "A tcp:// endpoint needs TLS client certificates (the engine must run with --tlsverify)",
    path: ["tls"],
  })
  .refine((h) => h.kind === "swarm" || !h.endpoint.startsWith("tcp://") || advertisedAddressOf(h) !== null, {
    // Servers there must listen somewhere other hosts reach; this machine's loopback would be wrong.
    message: "Give the advertised address (IPv4) of a host whose endpoint is a name",
    path: ["advertisedAddress"],
  });

export type HostInput = z.infer<typeof hostInput>;

/** The address servers on this host listen on and are reached at (null: loopback addresses of this machine). */
export function advertisedAddressOf(input: { endpoint: string; advertisedAddress?: string }): string | null {
  if (input.advertisedAddress) return input.advertisedAddress;
  const host = input.endpoint.startsWith("tcp://") ? new URL(input.endpoint.replace(/^tcp:/, "https:")).hostname : null;
  return host && /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : null;
}

const specOf = (h: DockerHost): DockerHostSpec => ({
  name: h.name,
  endpoint: h.endpoint,
  image: h.image ?? undefined,
  advertisedAddress: h.advertisedAddress ?? undefined,
  tls:
    h.tlsCaEnc && h.tlsCertEnc && h.tlsKeyEnc
      ? { ca: decryptSecret(h.tlsCaEnc), cert: decryptSecret(h.tlsCertEnc), key: decryptSecret(h.tlsKeyEnc) }
      : undefined,
});

const runtimeOf = (h: Pick<DockerHost, "kind" | "name">): Runtime =>
  h.kind === "swarm" ? { kind: "swarm", cluster: h.name } : { kind: "docker", host: h.name };

function admin(actor: Actor) {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can manage Docker hosts");
}

/** Loads the registered hosts into the drivers (at start and after every change); credentials decrypted here only. */
export async function loadDockerHosts() {
  const hosts = await db().dockerHost.findMany({ orderBy: { createdAt: "asc" } });
  setDockerHosts(
    hosts.filter((h) => h.kind !== "swarm").map(specOf),
    hosts.filter((h) => h.kind === "swarm").map(specOf),
  );
  return hosts;
}

export async function registerHost(actor: Actor, raw: unknown) {
  admin(actor);
  const input = parseInput(hostInput, raw);
  if (await db().dockerHost.findUnique({ where: { name: input.name } }))
    throw new ServiceError(409, "name_taken", `A host named "${input.name}" exists`);
  const swarm = input.kind === "swarm";
  const advertisedAddress = swarm ? null : advertisedAddressOf(input);
  const spec = { ...input, advertisedAddress: advertisedAddress ?? undefined };
  const health = await (swarm ? new SwarmDriver(spec) : new DockerDriver(spec)).health();
  if (!health.ok)
    throw new ServiceError(
      422,
      "unreachable",
      `${swarm ? "Swarm manager" : "Docker engine"} at ${input.endpoint} did not answer: ${health.error}`,
    );
  await db().dockerHost.create({
    data: {
      name: input.name,
      kind: swarm ? "swarm" : "engine",
      endpoint: input.endpoint,
      image: input.image ?? null,
      advertisedAddress,
      tlsCaEnc: input.tls ? encryptSecret(input.tls.ca) : null,
      tlsCertEnc: input.tls ? encryptSecret(input.tls.cert) : null,
      tlsKeyEnc: input.tls ? encryptSecret(input.tls.key) : null,
    },
  });
  await loadDockerHosts();
  return { name: input.name, ...health };
}

export async function removeHost(actor: Actor, name: string) {
  admin(actor);
  const row = await db().dockerHost.findUnique({ where: { name } });
  if (!row) throw notFound(`Host "${name}"`);
  const used = await db().environment.count({ where: { runtime: storedRuntime(runtimeOf(row)) } });
  if (used) throw new ServiceError(409, "in_use", `${used} environment(s) run on "${name}": delete or move them first`);
  const { count } = await db().dockerHost.deleteMany({ where: { name } });
  if (!count) throw notFound(`Host "${name}"`);
  await loadDockerHosts();
}

export async function listHosts() {
  const hosts = await loadDockerHosts();
  return Promise.all(
    hosts.map(async (h) => ({
      name: h.name,
      kind: h.kind,
      endpoint: h.endpoint,
      image: h.image,
      advertisedAddress: h.advertisedAddress,
      tls: h.tlsCertEnc !== null,
      environments: await db().environment.count({ where: { runtime: storedRuntime(runtimeOf(h)) } }),
      health: await (driverFor(runtimeOf(h)) as DockerDriver | SwarmDriver).health(),
      nodes: h.kind === "swarm" ? await swarmNodesOf(h.name) : null,
    })),
  );
}

/**
 * Placement: the least-loaded registered host, avoiding the host of `awayFrom` (a slave's master) when
 * another host exists — the article's slave "on the other hardnode".
 */
export async function chooseDockerHost(awayFrom?: string | null): Promise<Runtime> {
  const names = dockerHostNames();
  if (!names.length) throw new ServiceError(409, "no_docker_host", "No Docker host is registered (admin → Hosts)");
  const avoid = awayFrom ? dockerHostOf(awayFrom) : null;
  const load = await Promise.all(
    names.map(async (host) => ({
      host,
      count: await db().environment.count({ where: { runtime: storedRuntime({ kind: "docker", host }) } }),
    })),
  );
  const candidates = load.filter((l) => names.length === 1 || l.host !== avoid);
  return { kind: "docker", host: candidates.sort((a, b) => a.count - b.count)[0].host };
}
