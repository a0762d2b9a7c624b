import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { ServiceError } from "@/lib/errors";
import { packEntries, stateFilesIn, STORE_ENTRY } from "./files";
import { seal } from "./sealed";

export const CONSOLE_VERSION = "0.1.0";

/** The migrations a store has applied, oldest first. */
export function appliedMigrations(db: Database.Database): string[] {
  return (
    db
      .prepare(
        `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
      )
      .all() as { migration_name: string }[]
  ).map((r) => r.migration_name);
}

/**
 * A consistent copy of the console's state, encrypted with `passphrase`: the store through SQLite's online backup
 * (pages copied while the console keeps writing, never a torn file copy) plus keys, CAs and TLS files.
 */
export async function takeConsoleBackup(dir: string, passphrase: string): Promise<Buffer> {
  const storeFile = path.join(dir, STORE_ENTRY);
  if (!fs.existsSync(storeFile)) throw new ServiceError(404, "no_store", `There is no console store in ${dir}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-console-backup-"));
  try {
    const copy = path.join(scratch, STORE_ENTRY);
    const live = new Database(storeFile, { readonly: true, fileMustExist: true });
    try {
      await live.backup(copy);
    } finally {
      live.close();
    }
    const snapshot = new Database(copy, { readonly: true });
    const migrations = appliedMigrations(snapshot);
    snapshot.close();
    const files = stateFilesIn(dir);
    // Without the key, every stored password in the copy is unreadable: no backup rather than a useless one.
    if (!files.includes("secret.key"))
      throw new ServiceError(
        409,
        "no_secret_key",
        `${dir}/secret.key is missing (or not a regular file): no backup made`,
      );
    const entries = [
      { name: STORE_ENTRY, content: fs.readFileSync(copy) },
      ...files.map((name) => ({ name, content: fs.readFileSync(path.join(dir, name)) })),
    ];
    const header = {
      createdAt: new Date().toISOString(),
      migrations,
      files: entries.map((e) => e.name),
      console: CONSOLE_VERSION,
    };
    return await seal(header, await packEntries(entries), passphrase);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
