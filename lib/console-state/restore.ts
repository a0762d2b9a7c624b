import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { consoleServing } from "@/lib/console-lock";
import { ServiceError } from "@/lib/errors";
import { applyMigrations, migrationsDir } from "@/lib/db/migrate";
import { appliedMigrations } from "./backup";
import { isStateEntry, STATE_DIRS, STORE_ENTRY, unpackEntries } from "./files";
import { unseal } from "./sealed";

export interface RestoreSummary {
  createdAt: string;
  migrated: string[];
  users: number;
  environments: number;
  tokens: number;
}

function knownMigrations(dir = migrationsDir()): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => fs.existsSync(path.join(dir, n, "migration.sql")))
    .sort();
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
  const { header, payload } = unseal(opts.file, opts.passphrase);
  const known = knownMigrations();
  const newer = header.migrations.filter((m) => !known.includes(m));
  if (newer.length)
    throw new ServiceError(
      409,
      "newer_schema",
      `This backup was made by a newer Mariner (schema ${header.migrations.at(-1)}); this version knows up to ` +
        `${known.at(-1)}. Upgrade Mariner, then restore. Nothing was restored.`,
    );
  const serving = consoleServing(opts.dir);
  if (serving !== null)
    throw new ServiceError(
      409,
      "console_running",
      `A Mariner console (pid ${serving}) is serving ${opts.dir}: stop it first. Nothing was restored.`,
    );
  if (fs.existsSync(path.join(opts.dir, STORE_ENTRY)) && !opts.replace)
    throw new ServiceError(
      409,
      "store_exists",
      `${opts.dir} already has a console store: restore into an empty data dir (npm run reset), or pass --replace. Nothing was restored.`,
    );

  const entries = await unpackEntries(payload);
  const names = [...entries.keys()];
  if (!entries.has(STORE_ENTRY) || names.some((n) => !isStateEntry(n)))
    throw new ServiceError(422, "not_a_console_backup", "The backup holds unexpected files: nothing was restored");

  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o711 });
  const staging = path.join(opts.dir, `.restore-${crypto.randomBytes(6).toString("hex")}`);
  fs.mkdirSync(staging, { mode: 0o700 });
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

    // Replace: the old store's journal files go too, or SQLite would replay them into the restored one.
    for (const suffix of ["", "-wal", "-shm", "-journal"])
      fs.rmSync(path.join(opts.dir, STORE_ENTRY + suffix), { force: true });
    for (const d of STATE_DIRS) fs.rmSync(path.join(opts.dir, d), { recursive: true, force: true });
    for (const name of fs.readdirSync(staging)) fs.renameSync(path.join(staging, name), path.join(opts.dir, name));
    return summary;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
