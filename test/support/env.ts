import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A private data dir per test file; set before any lib module reads it. */
export function useTempDataDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mariner-${prefix}-`));
  process.env.MARINER_DATA_DIR = dir;
  process.env.MARINER_MIGRATIONS_DIR = path.resolve("prisma/migrations");
  return dir;
}
