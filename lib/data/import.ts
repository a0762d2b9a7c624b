import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { Readable, Transform } from "node:stream";
import { finished } from "node:stream/promises";
import zlib from "node:zlib";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { inspectDump, isGzip } from "@/lib/backups/guard";
import { ServiceError, notFound } from "@/lib/errors";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import * as dbs from "@/lib/mariadb/databases";
import * as accounts from "@/lib/mariadb/accounts";
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

/** MARINER_IMPORT_MAX_MB: the largest upload, and the largest SQL once decompressed (a typo means the default). */
function importLimitBytes() {
  const mbs = Number(process.env.MARINER_IMPORT_MAX_MB ?? 4096);
  return (Number.isFinite(mbs) && mbs > 0 ? mbs : 4096) * 1024 * 1024;
}
const MAX_BYTES = importLimitBytes();
/** Imports one owner may run at once: each holds an upload on the console's disk and a loading client. */
const PER_OWNER = 2;
const importsDir = () => path.join(dataDir(), "imports");

interface RunningImport {
  envId: string;
  ownerId: string;
  cancel: AbortController;
}
const g = globalThis as unknown as { marinerImports?: Map<string, RunningImport>; marinerImportKeys?: Set<string> };
const running = (g.marinerImports ??= new Map());
/** Databases an import is loading into ("envId/db"), claimed before anything is written: one import per database. */
const claimed = (g.marinerImportKeys ??= new Set());

function claim(envId: string, databases: string[]): () => void {
  const keys = databases.map((d) => `${envId}/${d}`);
  const taken = keys.find((k) => claimed.has(k));
  if (taken) throw new ServiceError(409, "busy", `An import into ${taken.split("/")[1]} is running`);
  keys.forEach((k) => claimed.add(k));
  return () => keys.forEach((k) => claimed.delete(k));
}

export const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * The upload as it arrives, saved to a private file on the way (refused past the size limit): the guard reads
 * these chunks, so the file is checked while it is received, not read a second time.
 */
async function* savedWhileRead(body: ReadableStream<Uint8Array>, file: string, received: { bytes: number }) {
  const out = fs.createWriteStream(file, { mode: 0o600 });
  try {
    for await (const chunk of Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>)) {
      received.bytes += chunk.length;
      if (received.bytes > MAX_BYTES)
        throw new ServiceError(413, "too_large", `The file is larger than ${mb(MAX_BYTES)}; nothing was imported`);
      if (!out.write(chunk)) await once(out, "drain");
      yield Buffer.from(chunk);
    }
  } finally {
    out.end();
    await finished(out).catch(() => undefined);
  }
}

/** What must be undone when the load fails: databases the import created, or the one it filled while empty. */
interface Target {
  database: string | null;
  dumpCreates: string[];
  existingEmpty: { charset: string; collation: string } | null;
}

const targetsOf = (t: Target) => (t.database ? [t.database] : t.dumpCreates);

async function undo(env: EnvironmentWithNodes, t: Target, created: boolean) {
  if (!created) return;
  await asRoot(env, async (c) => {
    for (const d of targetsOf(t)) await dbs.dropDatabase(c, d).catch(() => undefined);
    if (t.database && t.existingEmpty)
      await dbs.createDatabase(c, t.database, t.existingEmpty.charset, t.existingEmpty.collation);
  });
}

const notEmpty = (name: string) =>
  new ServiceError(
    409,
    "not_empty",
    `Database ${name} is not empty: import into a new database (nothing half-imported can then mix with what is there), or drop it first`,
  );

/** Right before loading: the target is still as it was checked (another session may have written meanwhile). */
async function prepareTarget(env: EnvironmentWithNodes, t: Target): Promise<void> {
  await asRoot(env, async (c) => {
    if (t.database && t.existingEmpty) {
      if ((await dbs.objectCount(c, t.database)) > 0) throw notEmpty(t.database);
      return;
    }
    const existing = [];
    for (const d of targetsOf(t)) if (await dbs.databaseExists(c, d)) existing.push(d);
    if (existing.length)
      throw new ServiceError(409, "exists", `Databases the import would create already exist: ${existing.join(", ")}`);
    if (t.database) await dbs.createDatabase(c, t.database);
  });
}

/**
 * Receives the upload and checks it before anything runs (a refusal names the lines), then loads it in the
 * background as an operation with live progress, as a temporary account that can write only the target
 * databases. Into `database` (new, or existing and empty) or, without one, into the databases the dump itself
 * creates (none of which may exist yet).
 */
export async function beginImport(actor: Actor, name: string, raw: unknown, body: ReadableStream<Uint8Array> | null) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(importParams, raw);
  if (!body) throw new ServiceError(400, "invalid_request", "Send the .sql or .sql.gz file as the request body");
  await assertWritable(env, "import");
  if ([...running.values()].filter((r) => r.ownerId === env.ownerId).length >= PER_OWNER)
    throw new ServiceError(429, "busy", `${PER_OWNER} imports of yours are running: wait for one to finish`);
  // Counted from the first byte of the upload: a slot under a key no operation has, replaced once it starts.
  const cancel = new AbortController();
  const slot = `upload:${crypto.randomUUID()}`;
  running.set(slot, { envId: env.id, ownerId: env.ownerId, cancel });
  const target: Target = { database: input.database ?? null, dumpCreates: [], existingEmpty: null };
  let storedPrograms = false;
  let release = () => {};
  const file = path.join(importsDir(), `${env.id}-${crypto.randomUUID()}.sql`);
  const received = { bytes: 0, sha256: "" };
  try {
    if (target.database) release = claim(env.id, [target.database]);
    fs.mkdirSync(importsDir(), { recursive: true, mode: 0o700 });
    if (target.database)
      await asRoot(env, async (c) => {
        const found = (await dbs.databaseList(c)).find((d) => d.name === target.database);
        if (!found) return;
        if ((await dbs.objectCount(c, found.name)) > 0) throw notEmpty(found.name);
        target.existingEmpty = { charset: found.charset, collation: found.collation };
      });
    const inspection = await inspectDump(savedWhileRead(body, file, received), null, {
      into: target.database ?? undefined,
      maxSqlBytes: MAX_BYTES,
      allowPlain: true,
    });
    if (received.bytes === 0) throw new ServiceError(400, "invalid_request", "The file is empty");
    received.sha256 = inspection.sha256;
    target.dumpCreates = inspection.databases;
    storedPrograms = inspection.storedPrograms;
    if (!target.database) {
      if (!inspection.databases.length)
        throw new ServiceError(
          422,
          "no_database",
          "The dump creates no database of its own: choose one to import into",
        );
      release = claim(env.id, inspection.databases);
    }
  } catch (e) {
    running.delete(slot);
    release();
    fs.rmSync(file, { force: true });
    throw e;
  }
  const operationId = await startOperation({
    userId: actor.id,
    action: "database.import",
    environmentId: env.id,
    target: env.name,
    params: { database: target.database, fileName: input.fileName ?? null, bytes: received.bytes },
  });
  running.set(operationId, { envId: env.id, ownerId: env.ownerId, cancel });
  running.delete(slot);
  const loader = `mariner_load_${crypto.randomBytes(4).toString("hex")}`;
  const done = continueOperation(operationId, async (step) => {
    let created = false;
    let progress = Promise.resolve();
    const report = (text: string) => (progress = progress.then(() => recordProgress(operationId, "Loading", text)));
    try {
      const into = targetsOf(target).join(", ");
      await step(
        `Received ${mb(received.bytes)} (SHA-256 ${received.sha256.slice(0, 16)}…); checked: it loads only ${into}`,
      );
      await prepareTarget(env, target);
      created = true;
      if (target.database && !target.existingEmpty) await step(`Created database ${target.database}`);
      const password = crypto.randomBytes(24).toString("base64url");
      await asRoot(env, (c) => accounts.createLoaderAccount(c, loader, password, targetsOf(target), storedPrograms));
      await step(
        `Loading as a temporary account that can write ${into} and nothing else${storedPrograms ? " (with SUPER: the file creates triggers or routines)" : ""}`,
      );
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
      const percent = () => Math.round((read / received.bytes) * 100);
      const loaded = await loadSql(
        { host: ref.host, port: ref.port, user: loader, password },
        target.database,
        sql,
        (p) => report(`Loading: ${mb(read)} of ${mb(received.bytes)} (${percent()}%), ${p.statements} statements`),
        cancel.signal,
      );
      await report(`Loaded ${mb(received.bytes)}, ${loaded.statements} statements`);
      void sampleDatabaseSizes(env).catch(() => undefined);
      return { statements: loaded.statements, bytes: received.bytes };
    } catch (e) {
      await progress;
      await undo(env, target, created).catch(() => undefined);
      if (cancel.signal.aborted)
        throw new ServiceError(409, "cancelled", "Import cancelled: what it had loaded was dropped again");
      if (e instanceof ServiceError) throw e;
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
      await asRoot(env, (c) => accounts.dropLoaderAccount(c, loader)).catch(() => undefined);
      fs.rmSync(file, { force: true });
      running.delete(operationId);
      release();
    }
  });
  done.catch(() => undefined);
  return { operationId, bytes: received.bytes, databases: targetsOf(target), done };
}

export async function cancelImport(actor: Actor, name: string, operationId: string) {
  const env = await getEnvironment(actor, name);
  const job = running.get(operationId);
  if (!job || job.envId !== env.id) throw notFound(`A running import ${operationId.slice(0, 40)}`);
  job.cancel.abort();
}
