import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { consoleServing, servingMessage } from "@/lib/console-lock";
import { ServiceError } from "@/lib/errors";
import { applyMigrations, migrationNames } from "@/lib/db/migrate";
import { appliedMigrations } from "./backup";
import { isStateEntry, RESTORE_MARKER, STATE_DIRS, STATE_FILES, STORE_ENTRY, unpackEntries } from "./files";
import { unseal } from "./sealed";

export interface RestoreSummary {
  createdAt: string;
  migrated: string[];
  users: number;
  environments: number;
  tokens: number;
}

/**
 * Puts a console backup back into `dir`. Everything is checked before anything is replaced: the passphrase (the
 * file is authenticated), the schema (a backup from a newer version is refused), no console serving `dir`, no
 * store already there unless `replace`, and the store migrating to this version in a staging copy. Only then
 * are the files moved into place.
 */
export async function restoreConsoleBackup(opts: {
  dir: string;
  file: Buffer;
  passphrase: string;
  replace?: boolean;
}): Promise<RestoreSummary> {
  const { header, payload } = await unseal(opts.file, opts.passphrase);
  const known = migrationNames();
  const newer = header.migrations.filter((m) => !known.includes(m));
  if (newer.length)
    throw new ServiceError(
      409,
      "newer_schema",
      `This backup was made by a newer Mariner (schema ${header.migrations.at(-1)}); this version knows up to ` +
        `${known.at(-1)}. Upgrade Mariner, then restore. Nothing was restored.`,
    );
  assertNoConsole(opts.dir);
  if (fs.existsSync(path.join(opts.dir, STORE_ENTRY)) && !opts.replace)
    throw new ServiceError(
      409,
      "store_exists",
      `${opts.dir} already has a console store: restore into an empty data dir (npm run reset), or pass --replace. Nothing was restored.`,
    );

  const entries = await unpackEntries(payload);
  const names = [...entries.keys()];
  if (names.some((n) => !isStateEntry(n)))
    throw new ServiceError(422, "not_a_console_backup", "The backup holds unexpected files: nothing was restored");
  for (const needed of [STORE_ENTRY, "secret.key"])
    if (!entries.has(needed))
      throw new ServiceError(422, "not_a_console_backup", `The backup has no ${needed}: nothing was restored`);

  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o711 });
  const staging = path.join(opts.dir, `.restore-${crypto.randomBytes(6).toString("hex")}`);
  fs.mkdirSync(staging, { mode: 0o700 });
  let keep = false;
  try {
    for (const [name, content] of entries) {
      fs.mkdirSync(path.dirname(path.join(staging, name)), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(staging, name), content, { mode: 0o600 });
    }
    const store = path.join(staging, STORE_ENTRY);
    const migrated = applyMigrations(store);
    const db = new Database(store, { readonly: true });
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    const summary = {
      createdAt: header.createdAt,
      migrated,
      users: count("User"),
      environments: count("Environment"),
      tokens: count("ApiToken"),
    };
    if (appliedMigrations(db).at(-1) !== known.at(-1)) throw new Error("the restored store did not reach this schema");
    db.close();

    swapIn(opts.dir, staging);
    return summary;
  } catch (e) {
    if (e instanceof KeptStaging) keep = true;
    throw e;
  } finally {
    if (!keep) fs.rmSync(staging, { recursive: true, force: true });
  }
}

class KeptStaging extends ServiceError {
  constructor(message: string) {
    super(500, "restore_failed", message);
  }
}

function assertNoConsole(dir: string) {
  const serving = consoleServing(dir);
  if (serving) throw new ServiceError(409, "console_running", `${servingMessage(dir, serving)}. Nothing was restored.`);
}

/**
 * Moves the staged state into `dir`: what is there goes aside first (the old store's journal files too, or SQLite
 * would replay them into the restored one) and comes back if a move fails. A marker file stands while files are
 * moving, so a restore killed half-way leaves a console that refuses to start rather than one with a store and
 * a key that do not belong together.
 */
function swapIn(dir: string, staging: string) {
  // The marker first, then the lock (again: a console may have started while the backup was checked): a console
  // starting now either holds the lock, and this stops, or finds the marker and refuses to start.
  const marker = path.join(dir, RESTORE_MARKER);
  fs.writeFileSync(marker, "a console restore is moving files; run it again to finish\n", { mode: 0o600 });
  try {
    assertNoConsole(dir);
  } catch (e) {
    fs.rmSync(marker, { force: true });
    throw e;
  }
  const aside = path.join(staging, ".replaced");
  fs.mkdirSync(aside);
  const names = [
    STORE_ENTRY,
    ...["-wal", "-shm", "-journal"].map((x) => STORE_ENTRY + x),
    ...STATE_FILES,
    ...STATE_DIRS,
  ];
  const movedAside: string[] = [];
  const movedIn: string[] = [];
  try {
    for (const name of names)
      if (fs.existsSync(path.join(dir, name))) {
        fs.renameSync(path.join(dir, name), path.join(aside, name));
        movedAside.push(name);
      }
    for (const name of fs.readdirSync(staging).filter((n) => n !== ".replaced")) {
      fs.renameSync(path.join(staging, name), path.join(dir, name));
      movedIn.push(name);
    }
  } catch (e) {
    try {
      for (const name of movedIn) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      for (const name of movedAside) fs.renameSync(path.join(aside, name), path.join(dir, name));
    } catch (undo) {
      // The previous state is only in `aside` now: it must survive this restore's cleanup.
      throw new KeptStaging(
        `Moving the restored files failed (${(e as Error).message}) and so did putting the previous ones back ` +
          `(${(undo as Error).message}): they are in ${aside}; the console will not start until this is sorted out`,
      );
    }
    fs.rmSync(marker, { force: true });
    throw new ServiceError(
      500,
      "restore_failed",
      `Moving the restored files failed (${(e as Error).message}): the previous state is back`,
    );
  }
  fs.rmSync(marker, { force: true });
}
