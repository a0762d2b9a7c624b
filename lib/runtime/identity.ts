import fs from "node:fs";
import path from "node:path";
import { withLock } from "@/lib/locks";
import { ensureNodesDir, makeDirs, serversRunIsolated } from "@/lib/paths";

/**
 * Every server runs as its own unprivileged uid/gid: no passwd entry, no shell, no supplementary groups. The
 * identity is not stored anywhere: it is the owner of the node directory, allocated when the directory is made,
 * so the filesystem and the process can never disagree.
 */
export interface NodeIdentity {
  uid: number;
  gid: number;
}

const BASE = Number(process.env.MARINER_UID_BASE ?? 2_000_000);
const SPAN = 1_000_000;

const inRange = (uid: number) => uid > BASE && uid < BASE + SPAN;

/** Ids the machine already uses (passwd/group entries) are never handed out. */
function systemIds(): Set<number> {
  const ids = new Set<number>();
  for (const file of ["/etc/passwd", "/etc/group"]) {
    try {
      for (const line of fs.readFileSync(file, "utf8").split("\n")) ids.add(Number(line.split(":")[2]));
    } catch {
      /* unreadable: nothing to avoid */
    }
  }
  return ids;
}

/**
 * Makes the node directory (0700) owned by a fresh identity, under one lock so two creates never share one.
 * Without root (a developer's own account) the server runs as the console's user and null is returned.
 */
export async function claimNodeDir(baseDir: string): Promise<NodeIdentity | null> {
  ensureNodesDir();
  if (!serversRunIsolated()) {
    fs.mkdirSync(baseDir, { mode: 0o700 });
    return null;
  }
  return allocate(baseDir, () => fs.mkdirSync(baseDir, { mode: 0o700 }));
}

/**
 * One registry per machine (every console and test run on it): a uid is claimed by creating its entry (mkdir is
 * atomic across processes) and never handed out again, so no two servers — of two data dirs, or a deleted node and
 * its successor — ever share an identity or each other's leftovers.
 */
const registry = () => process.env.MARINER_UID_REGISTRY ?? "/var/lib/mariner/uids";

function claimUid(): number {
  const dir = registry();
  makeDirs(dir, 0o700);
  const used = fs.readdirSync(dir).map(Number).filter(inRange);
  const system = systemIds();
  for (let uid = Math.max(BASE, ...used) + 1; inRange(uid); uid++) {
    if (system.has(uid)) continue;
    try {
      fs.mkdirSync(path.join(dir, String(uid)));
      return uid;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  throw new Error(`No free server uid left in ${BASE + 1}–${BASE + SPAN - 1} (MARINER_UID_BASE)`);
}

async function allocate(baseDir: string, prepare: () => void): Promise<NodeIdentity> {
  ensureNodesDir();
  return withLock("node-identity", async () => {
    const uid = claimUid();
    prepare();
    fs.chownSync(baseDir, uid, uid);
    fs.chmodSync(baseDir, 0o700);
    return { uid, gid: uid };
  });
}

/**
 * A node made before servers had identities (its directory belongs to root): it gets one now, with everything
 * the server wrote handed over (links are re-owned, never followed). Called only while the server is stopped.
 */
export async function adoptIntoCage(baseDir: string, serverWritten: string[]): Promise<NodeIdentity | null> {
  if (!serversRunIsolated()) return null;
  const identity = await allocate(baseDir, () => undefined);
  const chownTree = (p: string) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    fs.lchownSync(p, identity.uid, identity.gid);
    if (st.isDirectory()) for (const entry of fs.readdirSync(p)) chownTree(path.join(p, entry));
  };
  for (const p of serverWritten) chownTree(p);
  return identity;
}

/** The identity a node's server runs as: the owner of its directory (null: the console's own user). */
export function identityOf(baseDir: string): NodeIdentity | null {
  const st = fs.lstatSync(baseDir, { throwIfNoEntry: false });
  if (!st || !inRange(st.uid)) return null;
  return { uid: st.uid, gid: st.gid };
}

/** What a server process gets: its identity and a scrubbed environment (nothing of the console's leaks in). */
export function serverProcessOptions(identity: NodeIdentity | null, cwd: string) {
  return {
    cwd,
    env: {
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      LANG: "C.UTF-8",
      HOME: cwd,
      ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    } as unknown as NodeJS.ProcessEnv,
    ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
  };
}
