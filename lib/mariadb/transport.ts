// How the console talks to a server: over this machine's loopback in the clear (nothing leaves the machine), to a
// server on another machine only over TLS, verifying its certificate (console CA, its address) — root sessions
// and whole snapshots cross that network.
import fs from "node:fs";
import { caCertFile } from "@/lib/tls/ca";

export const onLoopback = (host: string | undefined) => !host || host.startsWith("127.") || host === "localhost";

/** mysql2 options: TLS verified against the console CA for a server that is not on this machine. */
export function clientTls(host: string | undefined): { ssl?: { ca: string; rejectUnauthorized: true } } {
  return onLoopback(host) ? {} : { ssl: { ca: fs.readFileSync(caCertFile(), "utf8"), rejectUnauthorized: true } };
}

/** The same for the mariadb / mariadb-dump command-line clients. */
export function clientTlsArgs(host: string): string[] {
  return onLoopback(host) ? [] : ["--ssl", `--ssl-ca=${caCertFile()}`, "--ssl-verify-server-cert"];
}
