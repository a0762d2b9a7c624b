// Where and as whom a MariaDB node lives on a Docker host: its volume, its layout inside the container, its uid,
// and the cage around its container.
import { ensureCa, issueCertificate } from "@/lib/tls/ca";
import { nodeLayout } from "./layout";
import { lastLines } from "./server-log";

/** Where a node's volume is mounted in its container; its files live in `node/` inside (owned by the server's uid). */
export const VOLUME_ROOT = "/mariner";
export const layout = nodeLayout(`${VOLUME_ROOT}/node`);
/** The server's uid:gid inside its container: never root, no passwd entry, nothing of the host's. */
export const SERVER = { uid: 201000, gid: 201000 };
export const ROOT_READABLE = { uid: 0, gid: SERVER.gid };
export const volumeName = (nodeId: string) => `mariner-node-${nodeId}`;
export const isLoopback = (address: string) => address.startsWith("127.");

/** Errors of the server's log: the lines a failed start shows. */
export const errorLines = (text: string) => {
  const lines = lastLines(text, 40);
  const errors = lines.filter((l) => /\[ERROR\]|error|Aborting|unknown/i.test(l));
  return (errors.length ? errors : lines).slice(-15);
};

/**
 * The cage around a server container: its own uid (never root inside), no capabilities, no privilege gain, a pids
 * limit, a read-only root filesystem; only its volume (and a small /tmp) is writable.
 */
export const CAGE = {
  CapDrop: ["ALL"],
  SecurityOpt: ["no-new-privileges"],
  PidsLimit: 256,
  ReadonlyRootfs: true,
  Tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m" },
};

/**
 * A server on another machine has TLS from its first start (certificate of the console CA for its address): the
 * console reaches it only over TLS (lib/mariadb/transport.ts), and root over the network requires it.
 */
export async function serverTlsFiles(address: string, at = (name: string) => `${layout.baseDir}/tls/${name}`) {
  const ca = await ensureCa();
  const issued = await issueCertificate({ commonName: `Mariner server ${address}`, ipAddresses: [address] });
  return {
    files: [
      { name: "ca.pem", content: ca },
      { name: "server.pem", content: issued.cert },
      { name: "server-key.pem", content: issued.key },
    ],
    options: { "ssl-ca": at("ca.pem"), "ssl-cert": at("server.pem"), "ssl-key": at("server-key.pem") },
  };
}
