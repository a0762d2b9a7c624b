import fs from "node:fs";
import mysql from "mysql2/promise";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { changeMasterTls, controlSlave, slaveStatus } from "@/lib/mariadb/replication";
import { setServerOptions } from "@/lib/mycnf/parse";
import { runOperation } from "@/lib/operations";
import { driverFor } from "@/lib/runtime";
import { CA_SUBJECT, caCertFile, certificateExpiry, ensureCa, issueCertificate } from "@/lib/tls/ca";
import { discoverTopology } from "@/lib/topology/discover";
import { parseInput } from "@/lib/validation";
import { editConfig } from "./config";
import { asRoot } from "./root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "./service";
import { nodeRefOf } from "./spec";

const ROTATE_BEFORE_DAYS = 30;

/** The node's TLS files, wherever the node lives (this disk, or its volume on a Docker host). */
function tlsFiles(env: EnvironmentWithNodes) {
  const files = driverFor(env.runtime).nodeFiles(nodeRefOf(primaryNode(env)));
  return {
    ...files,
    ca: "tls/ca.pem",
    cert: "tls/server.pem",
    key: "tls/server-key.pem",
    masterCa: "tls/master-ca.pem",
    clientCert: "tls/replication-client.pem",
    clientKey: "tls/replication-client-key.pem",
  };
}

/**
 * The node's server certificate from the console CA (SAN = its address), issued when missing or within 30 days
 * of expiry; ssl-ca/cert/key in my.cnf through the normal validated path. A fresh certificate on a server that
 * already has TLS is loaded with FLUSH SSL — no restart, replication connections stay up.
 */
export async function ensureServerTls(
  actor: Actor,
  env: EnvironmentWithNodes,
  force = false,
): Promise<{ rotated: boolean; notAfter: Date }> {
  const files = tlsFiles(env);
  const caPem = await ensureCa();
  const current = await files.read(files.cert);
  const due = !current || force || certificateExpiry(current).getTime() - Date.now() < ROTATE_BEFORE_DAYS * 86_400_000;
  if (due) {
    // The server's own address only: no shared name (localhost) another server's certificate could also answer to.
    const issued = await issueCertificate({
      commonName: `${env.name} (Mariner)`,
      ipAddresses: [primaryNode(env).host],
    });
    await files.write(files.ca, caPem);
    await files.write(files.key, issued.key);
    await files.write(files.cert, issued.cert);
  }
  const saved = await editConfig(
    actor,
    env.name,
    (content) =>
      setServerOptions(content, {
        "ssl-ca": files.path(files.ca),
        "ssl-cert": files.path(files.cert),
        "ssl-key": files.path(files.key),
      }),
    {
      message: "TLS certificates from the Mariner CA",
    },
  );
  if (!saved && due) {
    await files.publish(); // a Swarm mounts the new files by restarting the task; elsewhere they are already there
    await asRoot(await getEnvironment(actor, env.name), (c) => c.query("FLUSH SSL"));
  }
  return { rotated: due && !!current, notAfter: certificateExpiry((await files.read(files.cert)) ?? "") };
}

/** What a TLS client of the master negotiates (verified against the console CA). */
export async function negotiatedTls(env: EnvironmentWithNodes) {
  const ref = nodeRefOf(primaryNode(env));
  const c = await mysql.createConnection({
    host: ref.host,
    port: ref.port,
    user: "root",
    password: ref.rootPassword,
    ssl: { ca: fs.readFileSync(caCertFile(), "utf8") },
  });
  try {
    const [rows] = await c.query("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')");
    const m = Object.fromEntries(
      (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
    );
    return { version: m.Ssl_version ?? null, cipher: m.Ssl_cipher ?? null };
  } finally {
    await c.end();
  }
}

/** One subject per master and replication account: what REQUIRE SUBJECT binds the account to. */
export function replicationSubject(masterId: string, replUser: string): string {
  return `/O=Mariner/OU=${masterId.replace(/[^A-Za-z0-9]/g, "")}/CN=${replUser.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

export const replicationTlsInput = z.strictObject({ enabled: z.boolean({ error: "enabled must be true or false" }) });

/**
 * The "Encrypt replication" switch for a slave and its master: a server certificate for the master, a client
 * certificate for the replication user, which is bound to it (REQUIRE SUBJECT … ISSUER …: the subject names this
 * master and user, so no other certificate of the console CA — another tenant's — logs in), and
 * MASTER_SSL with CA, client certificate and server-certificate verification on the slave. Off reverses the
 * user and slave side (the master keeps its certificate for application clients).
 */
export async function setReplicationTls(actor: Actor, slaveName: string, raw: unknown) {
  const slave = await getEnvironment(actor, slaveName);
  const { enabled } = parseInput(replicationTlsInput, raw);
  const masterName = (await discoverTopology(actor)).nodes.find((n) => n.name === slave.name)?.master;
  if (!masterName)
    throw new ServiceError(409, "not_a_slave", `${slave.name} does not replicate from one of your environments`);
  const master = await getEnvironment(actor, masterName);
  return runOperation(
    {
      userId: actor.id,
      action: enabled ? "replication.tls-on" : "replication.tls-off",
      environmentId: slave.id,
      target: slave.name,
      params: { master: master.name },
    },
    async () => {
      const row = await asRoot(slave, slaveStatus);
      const replUser = String(row?.Master_User ?? "");
      if (!replUser) throw new ServiceError(409, "not_a_slave", `${slave.name} has no replication user configured`);
      if (enabled) await ensureServerTls(actor, master);
      const subject = replicationSubject(master.id, replUser);
      const freshMaster = await getEnvironment(actor, master.name);
      await asRoot(freshMaster, async (c) => {
        // Per server, like the certificate: not replicated to slaves that may not share this account.
        await c.query("SET SESSION sql_log_bin = 0");
        const [hosts] = await c.query("SELECT Host AS host FROM mysql.user WHERE User = ?", [replUser]);
        for (const { host } of hosts as { host: string }[]) {
          if (enabled)
            await c.query("ALTER USER ?@? REQUIRE SUBJECT ? AND ISSUER ?", [replUser, host, subject, CA_SUBJECT]);
          else await c.query("ALTER USER ?@? REQUIRE NONE", [replUser, host]);
        }
      });
      const slaveFiles = tlsFiles(slave);
      const slaveCa = slaveFiles.path(slaveFiles.masterCa);
      const clientCert = slaveFiles.path(slaveFiles.clientCert);
      const clientKey = slaveFiles.path(slaveFiles.clientKey);
      if (enabled) {
        const client = await issueCertificate({ subject, client: true });
        await slaveFiles.write(slaveFiles.masterCa, fs.readFileSync(caCertFile()));
        await slaveFiles.write(slaveFiles.clientKey, client.key);
        await slaveFiles.write(slaveFiles.clientCert, client.cert);
        await slaveFiles.publish();
      }
      await asRoot(slave, async (c) => {
        await controlSlave(c, "full-stop");
        await changeMasterTls(c, enabled ? { ca: slaveCa, cert: clientCert, key: clientKey } : null);
        await controlSlave(c, "full-start");
      });
      const t0 = Date.now();
      let status = await asRoot(slave, slaveStatus);
      while ((status?.Slave_IO_Running !== "Yes" || status?.Slave_SQL_Running !== "Yes") && Date.now() - t0 < 15_000) {
        if (Number(status?.Last_IO_Errno)) break;
        await new Promise((r) => setTimeout(r, 50));
        status = await asRoot(slave, slaveStatus);
      }
      return {
        enabled,
        masterSslAllowed: String(status?.Master_SSL_Allowed ?? ""),
        verifyServerCert: String(status?.Master_SSL_Verify_Server_Cert ?? ""),
        threads: `${status?.Slave_IO_Running}/${status?.Slave_SQL_Running}`,
        lastIoError: Number(status?.Last_IO_Errno) ? `${status?.Last_IO_Errno}: ${status?.Last_IO_Error}` : null,
        negotiated: enabled ? await negotiatedTls(freshMaster) : null,
      };
    },
  );
}
