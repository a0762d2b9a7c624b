import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { asRoot } from "@/lib/environments/root";
import { slavesOf } from "@/lib/environments/replication";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { explainSlave } from "@/lib/mariadb/health";
import { dumpDatabases } from "@/lib/mariadb/load";
import { userDatabases } from "@/lib/mariadb/schemas";
import { runOperation } from "@/lib/operations";
import { dataDir } from "@/lib/paths";
import { parseInput } from "@/lib/validation";
import { gzipBlocks } from "./gzip-blocks";
import { databaseName } from "./names";
// Exporting databases as .sql.gz, from a slave when one replicates them (the article's advice for backups: the
// master is not loaded), checksummed so the download can be verified.

/** No databases named: every database of the tenant's (the console's own left out). */
export const exportInput = z.strictObject({
  databases: z.array(databaseName).max(50).default([]),
  /** none: plain .sql (when the network is fast and the CPU is the limit, e.g. a download on the same LAN). */
  compress: z.enum(["gzip", "none"], { error: "compress must be gzip or none" }).default("gzip"),
});

/** A running slave of this master that holds every one of `databases` (a filtered slave may not), else the master. */
async function chooseSource(actor: Actor, env: EnvironmentWithNodes, databases: string[]) {
  for (const s of await slavesOf(actor, env)) {
    if (s.connection !== "" || explainSlave(s.status).state !== "running") continue;
    const has = await asRoot(s.env, (c) => userDatabases(c)).catch((): string[] => []);
    if (databases.every((d) => has.includes(d)))
      return { env: s.env, why: "a slave of it, so its master is not loaded" };
  }
  return { env, why: "no healthy slave holds these databases" };
}

export interface ExportFile {
  gzip: boolean;
  file: string;
  fileName: string;
  bytes: number;
  sha256: string;
  source: string;
}

/**
 * mariadb-dump (one consistent snapshot) gzipped to a private file with its SHA-256, which the route streams to
 * the browser and deletes. A dump that fails is reported with mariadb-dump's own lines; nothing is kept.
 */
export async function exportDatabases(actor: Actor, name: string, raw: unknown): Promise<ExportFile> {
  const env = await getEnvironment(actor, name);
  const input = parseInput(exportInput, raw);
  // Only names a tenant could also type here: a server-side name like `--result-file=…` is never exported.
  const existing = (await asRoot(env, (c) => userDatabases(c))).filter((d) => databaseName.safeParse(d).success);
  const missing = input.databases.filter((d) => !existing.includes(d));
  if (missing.length) throw new ServiceError(404, "not_found", `Database not found: ${missing.join(", ")}`);
  // Everything: each database with its CREATE DATABASE, so the file restores as the same databases.
  const everything = !input.databases.length;
  if (everything) input.databases = existing;
  if (!input.databases.length) throw new ServiceError(404, "not_found", `"${env.name}" has no database to export`);
  return runOperation(
    { userId: actor.id, action: "database.export", environmentId: env.id, target: env.name, params: input },
    async (step) => {
      const source = await chooseSource(actor, env, input.databases);
      await step(`Dumping ${input.databases.join(", ")} from ${source.env.name} (${source.why})`);
      const ref = nodeRefOf(primaryNode(source.env));
      const dir = path.join(dataDir(), "exports");
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const ext = input.compress === "gzip" ? ".sql.gz" : ".sql";
      const file = path.join(dir, `${env.id}-${crypto.randomUUID()}${ext}`);
      const dump = dumpDatabases(
        { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword },
        input.databases,
        everything,
      );
      const hash = crypto.createHash("sha256");
      let bytes = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      try {
        const written =
          input.compress === "gzip"
            ? pipeline(dump.child.stdout!, gzipBlocks(), hashing, fs.createWriteStream(file))
            : pipeline(dump.child.stdout!, hashing, fs.createWriteStream(file));
        await Promise.all([written, dump.done]);
      } catch (e) {
        fs.rmSync(file, { force: true });
        throw new ServiceError(502, "export_failed", (e as Error).message, (e as { lines?: string[] }).lines ?? []);
      }
      const sha256 = hash.digest("hex");
      await step(`Dumped ${(bytes / 1024 / 1024).toFixed(1)} MB (${ext}), SHA-256 ${sha256}`);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
      const fileName = `${env.name}-${input.databases.length === 1 ? input.databases[0] : "databases"}-${stamp}${ext}`;
      return { file, fileName, bytes, sha256, source: source.env.name, gzip: input.compress === "gzip" };
    },
  );
}
