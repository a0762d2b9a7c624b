import fs from "node:fs";
import path from "node:path";

/** Everything Mariner writes lives under one directory, so "reset" is one rm -rf. */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.MARINER_DATA_DIR ?? ".mariner");
}

export function ensureDataDir(): string {
  const dir = dataDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export const databaseFile = () => path.join(dataDir(), "mariner.db");
export const nodesDir = () => path.join(dataDir(), "nodes");
export const secretKeyFile = () => path.join(dataDir(), "secret.key");
export const authSecretFile = () => path.join(dataDir(), "auth.secret");
