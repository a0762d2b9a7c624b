import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { ensureCa, issueCertificate } from "@/lib/tls/ca";
import { parseInput } from "@/lib/validation";

// "Add host" without bringing certificates: the console's engine CA (never the one tenants' servers use) issues
// the new engine's server certificate and the console's client certificate, and says how to start dockerd.

export const engineCredentialsInput = z.strictObject({
  address: z.ipv4({ error: "The new host's address must be an IPv4 address" }),
});

/** Where the files go on the new machine (the flags below name them). */
const ENGINE_DIR = "/etc/docker/mariner";

export interface EngineCredentials {
  /** Files to install on the new machine, by name (in ENGINE_DIR). */
  engineFiles: { "ca.pem": string; "server-cert.pem": string; "server-key.pem": string };
  /** What the console presents to that engine: paste into Add host (stored encrypted). */
  client: { ca: string; cert: string; key: string };
  endpoint: string;
  dockerdCommand: string;
}

export async function issueEngineCredentials(actor: Actor, raw: unknown): Promise<EngineCredentials> {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can manage Docker hosts");
  const { address } = parseInput(engineCredentialsInput, raw);
  const ca = await ensureCa("engines");
  const server = await issueCertificate({
    commonName: `Docker engine ${address}`,
    ipAddresses: [address],
    authority: "engines",
  });
  const client = await issueCertificate({ commonName: "Mariner console", client: true, authority: "engines" });
  // Every engine of this CA accepts that client certificate: who issued one, and for which address, is audited.
  await db().operation.create({
    data: {
      userId: actor.id,
      action: "host.issue-credentials",
      target: address,
      status: "succeeded",
      finishedAt: new Date(),
    },
  });
  return {
    engineFiles: { "ca.pem": ca, "server-cert.pem": server.cert, "server-key.pem": server.key },
    client: { ca, cert: client.cert, key: client.key },
    endpoint: `tcp://${address}:2376`,
    dockerdCommand: dockerdCommand(address, ENGINE_DIR),
  };
}

/** The engine listens only on its address with TLS client verification, and resolves no names off the machine. */
export function dockerdCommand(address: string, certDir: string) {
  return [
    // No name lookups leave that machine either (MariaDB in a container would ask the outside resolver).
    "dockerd --dns 127.0.0.1",
    `-H tcp://${address}:2376`,
    "--tlsverify",
    `--tlscacert=${certDir}/ca.pem`,
    `--tlscert=${certDir}/server-cert.pem`,
    `--tlskey=${certDir}/server-key.pem`,
  ].join(" ");
}
