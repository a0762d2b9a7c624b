// Reaching a Docker engine ("hardnode"): its endpoint, credentials and the image servers run from.
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";

export const DEFAULT_IMAGE = process.env.MARINER_IMAGE ?? "mariner/mariadb:10.11";
export const BUILD_HINT = "npm run image:build";

export interface DockerHostSpec {
  name: string;
  /** unix:///path/docker.sock or tcp://host:2376. */
  endpoint: string;
  image?: string;
  /** Where this host's servers listen and are reached (absent: this machine's loopback addresses). */
  advertisedAddress?: string;
  /** TLS client credentials for a tcp:// endpoint (PEM), decrypted from the store; else DOCKER_CERT_PATH. */
  tls?: { ca: string; cert: string; key: string };
}

/** `timeoutMs`: for probes (is it alive, does the host answer) that must not hang on a host that drops packets. */
export function dockerClient(endpoint: string, tls?: DockerHostSpec["tls"], timeoutMs?: number): Docker {
  const timeout = timeoutMs ? { timeout: timeoutMs } : {};
  if (endpoint.startsWith("unix://")) return new Docker({ socketPath: endpoint.slice("unix://".length), ...timeout });
  const url = new URL(endpoint.replace(/^tcp:/, "https:"));
  const certs = process.env.DOCKER_CERT_PATH;
  const files = tls ?? (certs ? readCertDir(certs) : null);
  return new Docker({
    host: url.hostname,
    port: Number(url.port || 2376),
    protocol: files ? "https" : "http",
    ...(files ?? {}),
    ...timeout,
  });
}

function readCertDir(dir: string) {
  const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
  return { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}
