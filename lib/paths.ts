import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Everything Mariner writes lives under one directory, so "reset" is one rm -rf (plus nodesDirFor, see below). */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.MARINER_DATA_DIR ?? ".mariner");
}

/** Servers run as their own uids (see lib/runtime/identity.ts) only when the console can switch uid: as root. */
export const serversRunIsolated = () => process.getuid?.() === 0;

/**
 * The data dir is private to the console: new files are created 0600 (umask), the directory itself can be
 * traversed but not listed (0711) so each server reaches its own node directory and nothing else. Files an older
 * version created world-readable are closed up.
 */
export function ensureDataDir(): string {
  const dir = dataDir();
  process.umask(0o077);
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, serversRunIsolated() ? 0o711 : 0o700);
  for (const f of [
    "mariner.db",
    "mariner.db-wal",
    "mariner.db-shm",
    "mariner.db-journal",
    "secret.key",
    "auth.secret",
  ]) {
    try {
      fs.chmodSync(path.join(dir, f), 0o600);
    } catch {
      /* not created yet */
    }
  }
  return dir;
}

export const databaseFile = () => path.join(dataDir(), "mariner.db");
export const secretKeyFile = () => path.join(dataDir(), "secret.key");
export const authSecretFile = () => path.join(dataDir(), "auth.secret");

/** Every existing ancestor of `dir` lets other users through (x for others): a server's uid can reach below it. */
function traversableByOthers(dir: string): boolean {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    try {
      if ((fs.statSync(d).mode & 0o001) === 0) return false;
    } catch {
      /* not created yet: mkdir will make it traversable */
    }
    if (d === path.dirname(d)) return true;
  }
}

const nodesDirs = new Map<string, string>();

/**
 * Where the node directories of a data dir live: `<data dir>/nodes`, unless the data dir sits under a directory
 * the servers' uids cannot traverse (a checkout in /root, mode 0700); then under /var/lib/mariner/nodes/<hash>,
 * named after the data dir so reset and tests still find them.
 */
export function nodesDirFor(dir: string): string {
  let found = nodesDirs.get(dir);
  if (!found) {
    found =
      !serversRunIsolated() || traversableByOthers(dir)
        ? path.join(dir, "nodes")
        : path.join(
            process.env.MARINER_NODES_ROOT ?? "/var/lib/mariner/nodes",
            crypto.createHash("sha256").update(dir).digest("hex").slice(0, 16),
          );
    nodesDirs.set(dir, found);
  }
  return found;
}

export const nodesDir = () => nodesDirFor(dataDir());

/** Creates the node root so servers can traverse to their own directory (0711: no listing of the others). */
export function ensureNodesDir(): string {
  ensureDataDir();
  const dir = nodesDir();
  makeDirs(dir, 0o711);
  fs.chmodSync(dir, 0o711);
  return dir;
}

/** mkdir -p whose new parents can be traversed (0711: mkdir's own mode is masked by the 077 umask); `mode` for the leaf. */
export function makeDirs(dir: string, mode: number) {
  const created: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) created.push(d);
  fs.mkdirSync(dir, { recursive: true });
  for (const d of created) fs.chmodSync(d, d === dir ? mode : 0o711);
}
