import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/**
 * Applies prisma/migrations/<name>/migration.sql in order, keeping Prisma's own `_prisma_migrations`
 * bookkeeping so `prisma migrate deploy` stays interchangeable where the schema engine can be downloaded.
 * (Prisma 7's CLI downloads that engine on every command, which this offline machine cannot.)
 */
export function migrationsDir(): string {
  return path.resolve(
    /*turbopackIgnore: true*/ process.env.MARINER_MIGRATIONS_DIR ?? path.join(process.cwd(), "prisma", "migrations"),
  );
}

/** The migrations this version has, oldest first (the folder names, which start with their date). */
export function migrationNames(dir = migrationsDir()): string[] {
  return fs
    .readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
}

export function applyMigrations(dbFile: string, dir = migrationsDir()): string[] {
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const db = new Database(dbFile);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const applied = new Map(
      db
        .prepare(
          `SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
        .all()
        .map((r) => [(r as { migration_name: string }).migration_name, (r as { checksum: string }).checksum]),
    );
    const names = migrationNames(dir);
    const pending: { name: string; sql: string; checksum: string }[] = [];
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      const known = applied.get(name);
      if (!known) pending.push({ name, sql, checksum });
      else if (known !== checksum)
        throw new Error(`Migration ${name} was edited after it was applied (checksum differs)`);
    }
    const unknown = [...applied.keys()].filter((name) => !names.includes(name));
    if (unknown.length)
      throw new Error(
        `This store was migrated by a newer Mariner (${unknown.join(", ")} is unknown to this version): upgrade Mariner instead`,
      );
    // All pending migrations in one transaction (SQLite's DDL is transactional): one that fails leaves the store
    // exactly as it was, not half-way between two versions. Foreign keys off around it, as Prisma's table
    // redefinitions expect (inside a transaction the pragma does nothing, and a DROP TABLE would cascade), and
    // checked before the commit instead.
    if (!pending.length) return [];
    db.pragma("foreign_keys = OFF");
    db.transaction(() => {
      for (const { name, sql, checksum } of pending) {
        const id = crypto.randomUUID();
        db.prepare(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (?, ?, ?, ?)`).run(
          id,
          checksum,
          name,
          Date.now(),
        );
        try {
          db.exec(sql);
        } catch (e) {
          throw new Error(`Migration ${name} failed: ${(e as Error).message}; the store was left unchanged`);
        }
        db.prepare(`UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = 1 WHERE id = ?`).run(
          Date.now(),
          id,
        );
      }
      const broken = db.pragma("foreign_key_check") as { table: string }[];
      if (broken.length)
        throw new Error(
          `Migrations ${pending.map((m) => m.name).join(", ")} left ${broken.length} rows with a missing parent ` +
            `(first in ${broken[0].table}); the store was left unchanged`,
        );
    })();
    db.pragma("foreign_keys = ON");
    const newlyApplied = pending.map((m) => m.name);
    return newlyApplied;
  } finally {
    db.close();
  }
}
