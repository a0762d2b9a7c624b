import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { databaseFile, ensureDataDir } from "@/lib/paths";
import { applyMigrations } from "./migrate";

const g = globalThis as unknown as { marinerPrisma?: PrismaClient; marinerPrismaFile?: string };

/** One client per process (Next bundles modules more than once; globalThis is shared). Migrates on first use. */
export function db(): PrismaClient {
  const file = databaseFile();
  if (!g.marinerPrisma || g.marinerPrismaFile !== file) {
    ensureDataDir();
    applyMigrations(file);
    g.marinerPrisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
    g.marinerPrismaFile = file;
  }
  return g.marinerPrisma;
}

export type { PrismaClient };
