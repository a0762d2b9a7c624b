// A Swarm node's files as the Swarm's own objects: my.cnf and certificates as configs (readable back), the root
// password's provisioning SQL and private keys as secrets (never given back by the engine). Objects are immutable
// and named by their content, so every applied revision is its own object and writing the same text again reuses it.
// Which object is current for each file is recorded in the service's labels (labels do not restart its task).
import crypto from "node:crypto";
import type Docker from "dockerode";
import { SERVER } from "./docker-node";

export type ObjectKind = "config" | "secret";

const LABEL_PREFIX = "mariner.file.";

export const kindOf = (name: string): ObjectKind => (/key|\.sql$/.test(name) ? "secret" : "config");

/**
 * Where the server sees the file: under /etc/mariner (TLS files together in tls/, keys as secrets there too),
 * the provisioning SQL under /run/secrets. Both are mounted read-only from the Swarm's store (tmpfs for secrets).
 */
export function targetOf(name: string): string {
  return name.endsWith(".sql") ? `/run/secrets/${name.replace(/\//g, "-")}` : `/etc/mariner/${name}`;
}

/** At most 64 characters (the engine's limit): node id, a readable part of the file name, the content's hash. */
const objectName = (nodeId: string, name: string, content: string | Buffer) =>
  `mrn-${nodeId}-${name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 16)}-${crypto.createHash("sha256").update(content).digest("hex").slice(0, 12)}`;

/** Creates the object holding `content` (or finds it: same content, same name); returns its name. */
export async function storeObject(docker: Docker, nodeId: string, name: string, content: string | Buffer) {
  const spec = {
    Name: objectName(nodeId, name, content),
    Labels: { "mariner.node": nodeId, "mariner.console": "1" },
    Data: Buffer.from(content).toString("base64"),
  };
  try {
    await (kindOf(name) === "secret" ? docker.createSecret(spec) : docker.createConfig(spec));
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 409) throw e;
  }
  return spec.Name;
}

/** A config's content (secrets cannot be read back); null when it does not exist. */
export async function readConfigObject(docker: Docker, name: string): Promise<string | null> {
  try {
    const c = (await docker.getConfig(name).inspect()) as { Spec: { Data: string } };
    return Buffer.from(c.Spec.Data, "base64").toString("utf8");
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw e;
  }
}

/** The current object of each file, from a service's labels. */
export function filesOf(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels ?? {})
      .filter(([k]) => k.startsWith(LABEL_PREFIX))
      .map(([k, v]) => [k.slice(LABEL_PREFIX.length), v]),
  );
}

export const fileLabels = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([name, object]) => [`${LABEL_PREFIX}${name}`, object]));

type FileRef = { File: { Name: string; UID: string; GID: string; Mode: number } } & Record<string, unknown>;

/** The task template's Configs and Secrets for these files: root-owned, readable by the server's group only. */
export async function mountsFor(docker: Docker, files: Record<string, string>) {
  // Looked up together: each start or restart asks for every file's object id.
  const refs = await Promise.all(
    Object.entries(files).map(async ([name, object]) => {
      const File = { Name: targetOf(name), UID: "0", GID: String(SERVER.gid), Mode: 0o440 };
      if (kindOf(name) === "secret") {
        const { ID } = (await docker.getSecret(object).inspect()) as { ID: string };
        return { secret: true, ref: { File, SecretID: ID, SecretName: object } as FileRef };
      }
      const { ID } = (await docker.getConfig(object).inspect()) as { ID: string };
      return { secret: false, ref: { File, ConfigID: ID, ConfigName: object } as FileRef };
    }),
  );
  const configs = refs.filter((r) => !r.secret).map((r) => r.ref);
  const secrets = refs.filter((r) => r.secret).map((r) => r.ref);
  const byName = (a: FileRef, b: FileRef) => a.File.Name.localeCompare(b.File.Name);
  return { Configs: configs.sort(byName), Secrets: secrets.sort(byName) };
}

/** Objects of a node no longer referenced (`keep`): removed; one still mounted by a task is kept by the engine. */
export async function removeObjects(docker: Docker, nodeId: string, keep = new Set<string>()) {
  const filters = { label: [`mariner.node=${nodeId}`] };
  const drop = async (remove: () => Promise<unknown>) => remove().catch(() => undefined);
  for (const c of await docker.listConfigs({ filters }))
    if (!keep.has(c.Spec?.Name ?? "")) await drop(() => docker.getConfig(c.ID).remove());
  for (const s of await docker.listSecrets({ filters }))
    if (!keep.has(s.Spec?.Name ?? "")) await drop(() => docker.getSecret(s.ID).remove());
}
