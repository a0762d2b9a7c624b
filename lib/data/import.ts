import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

import zlib from "node:zlib";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { inspectDump, isGzip } from "@/lib/backups/guard";
import { ServiceError, notFound } from "@/lib/errors";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import * as dbs from "@/lib/mariadb/databases";
import { loadSql } from "@/lib/mariadb/load";
import { continueOperation, recordProgress, startOperation } from "@/lib/operations";
import { dataDir } from "@/lib/paths";
import { parseInput } from "@/lib/validation";
import { assertWritable, sampleDatabaseSizes } from "./databases";
import { databaseName } from "./names";
// Loading a tenant's .sql / .sql.gz: received to a private file, checked by the restore guard, then streamed into
// the master by the mariadb client. What the import created is dropped again when it fails or is cancelled.

export const importParams = z.strictObject({
  database: databaseName.optional(),
  fileName: z.string().max(255).optional(),
});

const MAX_BYTES = Number(process.env.MARINER_IMPORT_MAX_MB ?? 4096) * 1024 * 1024;
const importsDir = () => path.join(dataDir(), "imports");

const g = globalThis as unknown as { marinerImports?: Map<string, { envId: string; cancel: AbortController }> };
const running = (g.marinerImports ??= new Map());
/** Databases an import is loading right now ("envId/db"): a second import into one of them is refused. */
const busy = new Set<string>();

export const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The upload to a private file, refused past the size limit (the guard's read computes its SHA-256). */
async function receive(body: ReadableStream<Uint8Array>, file: string) {
  let bytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > MAX_BYTES)
        return cb(new ServiceError(413, "too_large", `The file is larger than ${mb(MAX_BYTES)}; nothing was imported`));
      cb(null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>),
    counting,
    fs.createWriteStream(file, { mode: 0o600 }),
  );
  return bytes;
}

/** What must be undone when the load fails: databases the import created, or the one it filled while empty. */
interface Target {
  database: string | null;
  dumpCreates: string[];
  existingEmpty: { charset: string; collation: string } | null;
}

async function undo(env: EnvironmentWithNodes, t: Target, createdTarget: boolean) {
  await asRoot(env, async (c) => {
    for (const d of t.dumpCreates) if (d !== t.database) await dbs.dropDatabase(c, d).catch(() => undefined);
    if (!t.database) return;
    if (createdTarget || t.existingEmpty) await dbs.dropDatabase(c, t.database).catch(() => undefined);
    if (t.existingEmpty) await dbs.createDatabase(c, t.database, t.existingEmpty.charset, t.existingEmpty.collation);
  });
}

/**
 * Receives the upload and checks it before anything runs (a refusal names the lines), then loads it in the
 * background as an operation with live progress. Into `database` (new, or existing and empty) or, without one,
 * into the databases the dump itself creates (none of which may exist yet).
 */
export async function beginImport(actor: Actor, name: string, raw: unknown, body: ReadableStream<Uint8Array> | null) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(importParams, raw);
  if (!body) throw new ServiceError(400, "invalid_request", "Send the .sql or .sql.gz file as the request body");
  await assertWritable(env, "import");
  const target: Target = { database: input.database ?? null, dumpCreates: [], existingEmpty: null };
  if (target.database) {
    const key = `${env.id}/${target.database}`;
    if (busy.has(key)) throw new ServiceError(409, "busy", `An import into ${target.database} is running`);
    await asRoot(env, async (c) => {
      const found = (await dbs.databaseList(c)).find((d) => d.name === target.database);
      if (!found) return;
      if ((await dbs.objectCount(c, found.name)) > 0)
        throw new ServiceError(
          409,
          "not_empty",
          `Database ${found.name} is not empty: import into a new database (nothing half-imported can then mix with what is there), or drop it first`,
        );
      target.existingEmpty = { charset: found.charset, collation: found.collation };
    });
  }
  fs.mkdirSync(importsDir(), { recursive: true, mode: 0o700 });
  const file = path.join(importsDir(), `${env.id}-${crypto.randomUUID()}.sql`);
  const received = { bytes: 0, sha256: "" };
  try {
    received.bytes = await receive(body, file);
    if (received.bytes === 0) throw new ServiceError(400, "invalid_request", "The file is empty");
    const inspection = await inspectDump(file, null, { into: target.database ?? undefined });
    received.sha256 = inspection.sha256;
    target.dumpCreates = inspection.databases;
    if (!target.database) {
      if (!inspection.databases.length)
        throw new ServiceError(
          422,
          "no_database",
          "The dump creates no database of its own: choose one to import into",
        );
      const existing = await asRoot(env, async (c) =>
        (await Promise.all(inspection.databases.map((d) => dbs.databaseExists(c, d)))).flatMap((e, i) =>
          e ? [inspection.databases[i]] : [],
        ),
      );
      if (existing.length)
        throw new ServiceError(409, "exists", `The dump creates databases that already exist: ${existing.join(", ")}`);
    }
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
  const keys = (target.database ? [target.database] : target.dumpCreates).map((d) => `${env.id}/${d}`);
  keys.forEach((k) => busy.add(k));
  const cancel = new AbortController();
  const operationId = await startOperation({
    userId: actor.id,
    action: "database.import",
    environmentId: env.id,
    target: env.name,
    params: { database: target.database, fileName: input.fileName ?? null, bytes: received.bytes },
  });
  running.set(operationId, { envId: env.id, cancel });
  const done = continueOperation(operationId, async (step) => {
    let createdTarget = false;
    try {
      const into = target.database ?? target.dumpCreates.join(", ");
      await step(
        `Received ${mb(received.bytes)} (SHA-256 ${received.sha256.slice(0, 16)}…); checked: it loads only ${into}`,
      );
      if (target.database && !target.existingEmpty) {
        await asRoot(env, (c) => dbs.createDatabase(c, target.database!));
        createdTarget = true;
        await step(`Created database ${target.database}`);
      }
      const ref = nodeRefOf(primaryNode(env));
      let read = 0;
      const counted = fs.createReadStream(file).pipe(
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            read += chunk.length;
            cb(null, chunk);
          },
        }),
      );
      const sql = (await isGzip(file)) ? counted.pipe(zlib.createGunzip()) : counted;
      const loaded = await loadSql(
        { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword },
        target.database,
        sql,
        (p) =>
          void recordProgress(
            operationId,
            "Loading",
            `Loading: ${mb(read)} of ${mb(received.bytes)} (${Math.round((read / received.bytes) * 100)}%), ${p.statements} statements`,
          ),
        cancel.signal,
      );
      await recordProgress(operationId, "Loading", `Loaded ${mb(received.bytes)}, ${loaded.statements} statements`);
      void sampleDatabaseSizes(env).catch(() => undefined);
      return { statements: loaded.statements, bytes: received.bytes };
    } catch (e) {
      await undo(env, target, createdTarget).catch(() => undefined);
      if (cancel.signal.aborted)
        throw new ServiceError(409, "cancelled", "Import cancelled: what it had loaded was dropped again");
      // The client echoes the failing statement (a dump's multi-MB INSERT): its ERROR lines are what matter.
      const lines = ((e as { lines?: string[] }).lines ?? [])
        .filter((l) => /^ERROR\b|failed|denied/i.test(l))
        .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l));
      const at = lines.map((l) => /^ERROR \d+ \(\w+\) at line (\d+)/.exec(l)).find(Boolean);
      throw new ServiceError(
        422,
        "import_failed",
        `${at ? `The server refused line ${at[1]} of the file` : (e as Error).message}: nothing was kept`,
        lines,
      );
    } finally {
      fs.rmSync(file, { force: true });
      running.delete(operationId);
      keys.forEach((k) => busy.delete(k));
    }
  });
  done.catch(() => undefined);
  return {
    operationId,
    bytes: received.bytes,
    databases: target.database ? [target.database] : target.dumpCreates,
    done,
  };
}

export async function cancelImport(actor: Actor, name: string, operationId: string) {
  const env = await getEnvironment(actor, name);
  const job = running.get(operationId);
  if (!job || job.envId !== env.id) throw notFound(`A running import ${operationId.slice(0, 40)}`);
  job.cancel.abort();
}
