// Instant provisioning: a pristine data directory per MariaDB version and redo log size is initialised once with
// mariadb-install-db, and every later node starts from a copy of it (a reflink where the filesystem can) instead of
// bootstrapping its own (0.7 s → a few ms). Each node still gets its own root password (provisioning) and its own
// server-id (my.cnf); nothing in a pristine directory is secret or tied to a node.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/lib/paths";
import type { NodeIdentity } from "./identity";

/** What makes two pristine directories differ: the server binary's version and the redo log it was sized for. */
export function pristineKey(version: string, cnf: string): string {
  const logSize = /^innodb_log_file_size\s*=\s*(\S+)/m.exec(cnf)?.[1] ?? "default";
  return `${version}-log${logSize}`.replace(/[^A-Za-z0-9._-]/g, "_");
}

const pristineRoot = () => path.join(dataDir(), "pristine");

const CHUNK = 256 * 1024;

/**
 * A reflink where the filesystem shares blocks (btrfs, xfs); elsewhere a sparse copy: a fresh InnoDB system
 * tablespace and redo log are mostly zeros (45 MB of which ~2 MB are data), and holes cost nothing to write.
 */
function copyFile(src: string, dst: string, how: { reflink: boolean }) {
  if (how.reflink) {
    try {
      fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE_FORCE);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw e;
      how.reflink = false; // ext4 and friends: asking again for each of ~200 files costs more than the copy
    }
  }
  const from = fs.openSync(src, "r");
  const to = fs.openSync(dst, "wx", 0o600);
  try {
    const buf = Buffer.alloc(CHUNK);
    let offset = 0;
    for (let n; (n = fs.readSync(from, buf, 0, CHUNK, offset)) > 0; offset += n) {
      const chunk = buf.subarray(0, n);
      if (!isZero(chunk)) fs.writeSync(to, chunk, 0, n, offset);
    }
    fs.ftruncateSync(to, offset);
  } finally {
    fs.closeSync(from);
    fs.closeSync(to);
  }
}

const ZERO = Buffer.alloc(CHUNK);
const isZero = (b: Buffer) => b.equals(ZERO.subarray(0, b.length));

/** Regular files and directories only: a pristine copy never carries a link, a socket or a FIFO. */
function copyTree(from: string, to: string, owner: NodeIdentity | null, how = { reflink: true }) {
  fs.mkdirSync(to, { mode: 0o700 });
  if (owner) fs.chownSync(to, owner.uid, owner.gid);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst, owner, how);
    else if (entry.isFile()) {
      copyFile(src, dst, how);
      fs.chmodSync(dst, 0o660);
      if (owner) fs.chownSync(dst, owner.uid, owner.gid);
    }
  }
}

/**
 * Fills `datadir` (absent: a node that never ran) from the pristine copy for `key`. False when there is none
 * yet; the caller initialises the node itself and then offers its directory with `keepPristine`.
 */
export function copyPristine(key: string, datadir: string, owner: NodeIdentity | null): boolean {
  const source = path.join(pristineRoot(), key);
  if (!fs.existsSync(path.join(source, "mysql_upgrade_info"))) return false;
  try {
    copyTree(source, datadir, owner);
    return true;
  } catch {
    // A pristine copy that cannot be read whole is never half-used: the node bootstraps its own.
    fs.rmSync(datadir, { recursive: true, force: true });
    return false;
  }
}

/**
 * Keeps a freshly initialised data directory (before its server ever started) as the pristine copy for `key`:
 * copied aside under a private name and renamed into place, so concurrent creates never see half a copy.
 * Owned by the console (0700): no tenant's server can read it. Best effort: a failure only costs speed.
 */
export function keepPristine(key: string, datadir: string): void {
  const root = pristineRoot();
  const target = path.join(root, key);
  if (fs.existsSync(target)) return;
  const staging = path.join(root, `.${key}.${crypto.randomBytes(6).toString("hex")}`);
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    copyTree(datadir, staging, null);
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
