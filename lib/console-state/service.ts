import Database from "better-sqlite3";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { runOperation } from "@/lib/operations";
import { databaseFile, dataDir } from "@/lib/paths";
import { parseInput } from "@/lib/validation";
import { appliedMigrations, takeConsoleBackup } from "./backup";
import { MIN_PASSPHRASE } from "./sealed";

export const consoleBackupInput = z.strictObject({ passphrase: z.string().min(MIN_PASSPHRASE).max(1024) });

function admin(actor: Actor) {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can back up the console");
}

/** The admin page's button and POST /api/v1/console/backup: the encrypted file, audited (never the passphrase). */
export async function consoleBackupFor(actor: Actor, raw: unknown): Promise<{ fileName: string; content: Buffer }> {
  admin(actor);
  const { passphrase } = parseInput(consoleBackupInput, raw);
  const content = await runOperation({ userId: actor.id, action: "console-backup", target: "console" }, async () =>
    takeConsoleBackup(dataDir(), passphrase),
  );
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return { fileName: `mariner-console-${stamp}.mcb`, content };
}

/** What the admin page shows about the console's own state. */
export async function consoleStateFor(actor: Actor) {
  admin(actor);
  const store = new Database(databaseFile(), { readonly: true });
  try {
    const migrations = appliedMigrations(store);
    const lastBackup = await db().operation.findFirst({
      where: { action: "console-backup", status: "succeeded" },
      orderBy: { startedAt: "desc" },
      include: { user: { select: { email: true } } },
    });
    return {
      dataDir: dataDir(),
      schema: migrations.at(-1) ?? null,
      lastBackup: lastBackup ? { at: lastBackup.startedAt, by: lastBackup.user?.email ?? null } : null,
    };
  } finally {
    store.close();
  }
}
