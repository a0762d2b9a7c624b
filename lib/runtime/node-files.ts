import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { RuntimeError } from "./driver";
import type { NodeIdentity } from "./identity";

/**
 * The console (root) reading and writing inside a node directory that belongs to the server's uid. A server could
 * plant a symbolic link there (my.cnf → the console's key); nothing here follows one: files are opened with
 * O_NOFOLLOW, every directory between the node directory and the file is checked with lstat, and writes go to a
 * fresh O_EXCL file renamed into place. A planted link is an error naming the file.
 *
 * Files the console writes (my.cnf, certificates) belong to the console and are only readable by the server's
 * group: a tenant pointing a log at them (SET GLOBAL general_log_file = '…/my.cnf') gets "permission denied"
 * instead of writing options the review never saw.
 */
// O_NONBLOCK: a FIFO planted in place of a file must not block the console's event loop on open.
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const READ = O_RDONLY | O_NONBLOCK;
const MAX_READ = 1024 * 1024;

function planted(file: string): RuntimeError {
  return new RuntimeError(
    `${file} is a symbolic link or not a regular file: Mariner does not follow links in a node directory`,
  );
}

/** Each directory from the node directory down to `dir` is a real directory, not a link. */
function assertRealDirs(nodeDir: string, dir: string) {
  const rel = path.relative(nodeDir, dir);
  if (rel.startsWith("..") || path.isAbsolute(rel))
    throw new RuntimeError(`${dir} is outside the node directory ${nodeDir}`);
  let d = nodeDir;
  for (const part of ["", ...rel.split(path.sep).filter(Boolean)]) {
    d = path.join(d, part);
    const st = fs.lstatSync(d, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) throw planted(d);
  }
}

function openNoFollow(nodeDir: string, file: string, flags: number, mode = 0o600): number {
  assertRealDirs(nodeDir, path.dirname(file));
  try {
    return fs.openSync(file, flags | O_NOFOLLOW, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw planted(file);
    throw e;
  }
}

export function readNodeFile(nodeDir: string, file: string): string {
  const fd = openNoFollow(nodeDir, file, READ);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw planted(file);
    if (st.size > MAX_READ) throw new RuntimeError(`${file} is larger than ${MAX_READ / 1024} kB`);
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `maxBytes` of a file ("" when it does not exist yet); a link is still an error. */
export function tailNodeFile(nodeDir: string, file: string, maxBytes = 64 * 1024): string {
  let fd: number;
  try {
    fd = openNoFollow(nodeDir, file, READ);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw planted(file);
    const length = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, st.size - length);
    return buf.toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

export function nodeFileSize(nodeDir: string, file: string): number {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st && !st.isFile()) throw planted(file);
  assertRealDirs(nodeDir, path.dirname(file));
  return st?.size ?? 0;
}

/**
 * Atomic write of a console-owned file the server may read (group = its gid, 0640): a crash never leaves half a
 * file, a planted link is never followed.
 */
export function writeNodeFile(
  nodeDir: string,
  file: string,
  content: string | Buffer,
  reader: NodeIdentity | null,
  /** A file the server rewrites itself (Galera's grastate.dat): its own, set on the descriptor before the rename. */
  serverOwned = false,
) {
  const tmp = `${file}.${crypto.randomBytes(6).toString("hex")}.tmp`;
  const fd = openNoFollow(nodeDir, tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600);
  try {
    fs.writeFileSync(fd, content);
    if (reader) fs.fchownSync(fd, serverOwned ? reader.uid : (process.getuid?.() ?? 0), reader.gid);
    fs.fchmodSync(fd, reader ? (serverOwned ? 0o660 : 0o640) : 0o600);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file); // rename replaces a link itself, never its target
}

/** A file descriptor appending to a node's log (the server's stdout/stderr), created owned by the server. */
export function appendNodeLog(nodeDir: string, file: string, owner: NodeIdentity | null): number {
  const fd = openNoFollow(nodeDir, file, O_WRONLY | O_CREAT | O_APPEND, 0o600);
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw planted(file);
  }
  if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
  return fd;
}

/**
 * A directory inside the node directory (made if missing; a link in its place is an error): the server's own
 * (`writable`, 0700) or the console's with the server's group allowed to read (0750).
 */
export function makeNodeDir(nodeDir: string, dir: string, server: NodeIdentity | null, writable: boolean) {
  assertRealDirs(nodeDir, path.dirname(dir));
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw planted(dir);
  if (!st) fs.mkdirSync(dir, { mode: 0o700 });
  if (!server) return;
  fs.lchownSync(dir, writable ? server.uid : (process.getuid?.() ?? 0), server.gid);
  fs.chmodSync(dir, writable ? 0o700 : 0o750);
}
