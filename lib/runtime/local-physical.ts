// Physical copies between local nodes: mariadb-backup streams the running source's files (xbstream) and mbstream
// unpacks them straight into the target's data directory — no intermediate copy anywhere — then
// `mariadb-backup --prepare` makes them consistent and the target starts on them with its own root password.
// Every tool runs as the node's own uid: the console never writes inside a data directory a tenant controls.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import type { BackupLog, BackupPositions, NodeRef, PhysicalCopier, PhysicalStream } from "./driver";
import { RuntimeError } from "./driver";
import { serversRunIsolated } from "@/lib/paths";
import { identityOf, serverProcessOptions, type NodeIdentity } from "./identity";
import { nodeLayout, type NodeLayout } from "./layout";
import { makeNodeDir, nodeFileSize, readNodeFile, writeNodeFile } from "./node-files";
import { isOurProcess } from "./process";
import { provisionSql } from "./provision-sql";
import { diskLog, waitForLogin } from "./readiness";
import { lastLines } from "./server-log";

// Read at each use: a test can put a faulty tool in front of the real one.
const BIN = {
  get backup() {
    return process.env.MARINER_MARIADB_BACKUP ?? "/usr/bin/mariadb-backup";
  },
  get mbstream() {
    return process.env.MARINER_MBSTREAM ?? "/usr/bin/mbstream";
  },
};

interface LocalServerControl {
  stop(node: NodeRef): Promise<NodeRef>;
  /** Starts mariadbd on the node's my.cnf with extra options; resolves with its pid. */
  spawn(l: NodeLayout, identity: NodeIdentity | null, extra: string[]): Promise<number>;
}

/** Bytes a process has written so far (-1: gone). */
function wchar(pid: number | undefined): number {
  try {
    return Number(/wchar:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? -1);
  } catch {
    return -1;
  }
}

/** Size of the regular files under `dir` (links not followed). */
function treeSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += treeSize(p);
    else if (e.isFile()) total += fs.lstatSync(p).size;
  }
  return total;
}

/** A tool run as a node's uid; rejects with its last stderr lines. */
function runTool(
  label: string,
  bin: string,
  args: string[],
  l: NodeLayout,
  env: Record<string, string> = {},
  stdout: "pipe" | Writable = "pipe",
) {
  const options = serverProcessOptions(identityOf(l.baseDir), l.baseDir);
  const child = spawn(bin, args, {
    ...options,
    env: { ...options.env, ...env },
    stdio: ["pipe", stdout, "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-16_384)));
  child.stdin?.on("error", () => undefined); // a tool that died early: its exit code says why
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (e) => reject(new RuntimeError(`${label} could not run: ${e.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve();
      const lines = lastLines(stderr, 12).filter((x) => !/^\s*$/.test(x));
      reject(new RuntimeError(`${label} failed (${signal ?? `exit ${code}`})`, lines));
    });
  });
  return { child, done, stderr: () => stderr };
}

/**
 * mariadb-backup's own log of where the copy stands: "MySQL binlog position: filename 'mysql-bin.000002',
 * position '328', GTID of the last change '0-5-4'" and, from a slave, "MySQL slave binlog position:
 * gtid_slave_pos '0-5-4'; …".
 */
export function backupLogPositions(log: string): BackupLog {
  const own = /MySQL binlog position: filename '([^']*)', position '(\d+)', GTID of the last change '([^']*)'/.exec(
    log,
  );
  const slave = /MySQL slave binlog position: gtid_slave_pos '([^']*)'/.exec(log);
  return {
    binlogFile: own?.[1] || null,
    binlogPos: own ? Number(own[2]) : null,
    binlogGtid: own ? own[3] : null,
    slaveGtid: slave ? slave[1] : null,
  };
}

const removeQuietly = (p: string) => fs.rmSync(p, { recursive: true, force: true });

/** `xtrabackup_binlog_info` ("file\tpos\tgtid") and `xtrabackup_slave_info` ("SET GLOBAL gtid_slave_pos = '…';"). */
function readPositions(l: NodeLayout): BackupPositions {
  const read = (name: string) => {
    try {
      return readNodeFile(l.baseDir, path.join(l.datadir, name));
    } catch {
      return null;
    }
  };
  const binlog = read("xtrabackup_binlog_info")?.trim().split(/\s+/);
  const slave = /gtid_slave_pos\s*=\s*'([^']*)'/.exec(read("xtrabackup_slave_info") ?? "")?.[1];
  return { binlogGtid: binlog?.[2] ?? (binlog ? "" : null), slaveGtid: slave ?? null };
}

/** Where a data directory waits while a copy replaces it; put back by `recoverInterruptedSwap` if the console died. */
export const previousDataDir = (l: NodeLayout) => `${l.datadir}.previous`;

/**
 * A copy interrupted by a console crash left the old data aside and a partial copy in its place: the old data
 * goes back before the server is started again (called by start, with the server stopped).
 */
export function recoverInterruptedSwap(l: NodeLayout) {
  const previous = previousDataDir(l);
  if (!fs.lstatSync(previous, { throwIfNoEntry: false })?.isDirectory()) return;
  removeQuietly(l.datadir);
  fs.renameSync(previous, l.datadir);
  removeQuietly(path.join(l.baseDir, "provision.sql"));
}

/** The tools run as the node's own uid; a node without one (made before identities) is not copied as root. */
function requireIdentity(l: NodeLayout) {
  if (serversRunIsolated() && !identityOf(l.baseDir))
    throw new RuntimeError(`${l.baseDir} has no server identity yet: start the server once, then copy it`);
}

/** mariadb-backup that writes nothing for this long is stuck (a tenant's lock on the donor): it is stopped. */
const STALL_MS = () => Number(process.env.MARINER_BACKUP_STALL_MS ?? 120_000);

export function localPhysical(server: LocalServerControl): PhysicalCopier {
  return {
    backup(node: NodeRef, into?: Writable): PhysicalStream {
      const l = nodeLayout(node.baseDir!);
      requireIdentity(l);
      const tool = runTool(
        "mariadb-backup --backup",
        BIN.backup,
        [
          `--defaults-file=${l.cnf}`, // first, or the system's /etc/mysql is read too
          "--backup",
          "--stream=xbstream",
          "--slave-info", // from a slave: the position in its master's stream, for a sibling
          "--log-copy-interval=10", // the default (1 s) adds up to a second of waiting to every copy
          `--target-dir=${l.tmpdir}`,
          `--tmpdir=${l.tmpdir}`,
          "--user=root",
          `--socket=${l.socket}`,
        ],
        l,
        { MYSQL_PWD: node.rootPassword },
        into ?? "pipe",
      );
      tool.child.stdin!.end();
      // Progress is what the tool wrote (/proc/<pid>/io): its output may go straight to mbstream, unseen here.
      let stalled = false;
      let written = -1;
      let since = Date.now();
      const watchdog = setInterval(
        () => {
          const now = wchar(tool.child.pid);
          if (now !== written) [written, since] = [now, Date.now()];
          else if (Date.now() - since >= STALL_MS()) {
            stalled = true;
            tool.child.kill("SIGKILL");
          }
        },
        Math.min(1000, STALL_MS() / 4),
      );
      const done = tool.done.then(
        () => backupLogPositions(tool.stderr()),
        (e: RuntimeError) => {
          throw stalled
            ? new RuntimeError(`mariadb-backup --backup wrote nothing for ${STALL_MS() / 1000} s and was stopped`, [
                ...e.serverLines,
                "the source may be blocked: a long-running DDL or a lock held on its tables keeps BACKUP STAGE waiting",
              ])
            : e;
        },
      );
      done.finally(() => clearInterval(watchdog)).catch(() => undefined);
      done.catch(() => undefined); // the caller awaits it; a failure must not surface as unhandled first
      return { stream: into ? null : tool.child.stdout!, done, cancel: () => tool.child.kill("SIGKILL") };
    },

    async receive(
      node: NodeRef,
      source: Readable | ((stdin: Writable) => Promise<unknown>),
      sourceDone?: Promise<unknown>,
    ) {
      const l = nodeLayout(node.baseDir!);
      requireIdentity(l);
      const identity = identityOf(l.baseDir);
      const previous = previousDataDir(l);
      await server.stop(node);
      recoverInterruptedSwap(l); // an earlier copy's leftovers: its data is the one to keep
      // The old data stays aside until the new data runs: a copy that fails puts it back as it was.
      fs.renameSync(l.datadir, previous);
      let pid: number | null = null;
      const initFile = path.join(l.baseDir, "provision.sql");
      try {
        makeNodeDir(l.baseDir, l.datadir, identity, true);
        const unpack = runTool("mbstream -x", BIN.mbstream, ["-x", "-C", l.datadir], l);
        let streamed: Promise<unknown>;
        if (typeof source === "function") {
          // Direct: the source starts now, writing into mbstream's stdin itself (no copy through the console);
          // the console's own end of that pipe goes, or mbstream would never see the end of the stream.
          streamed = source(unpack.child.stdin!);
          unpack.child.stdin!.destroy();
        } else {
          source.pipe(unpack.child.stdin!);
          source.once("error", () => unpack.child.kill("SIGKILL"));
          streamed = sourceDone ?? Promise.resolve();
        }
        unpack.child.stdout!.resume();
        await Promise.all([unpack.done, streamed]);
        const prepare = runTool(
          "mariadb-backup --prepare",
          BIN.backup,
          ["--no-defaults", "--prepare", `--target-dir=${l.datadir}`],
          l,
        );
        prepare.child.stdin!.end();
        prepare.child.stdout!.resume();
        await prepare.done;
        const positions = readPositions(l);
        for (const name of fs.readdirSync(l.datadir))
          if (/^(xtrabackup_|backup-my\.cnf$|master\.info$|relay-log\.info$|multi-master\.info$)/.test(name))
            removeQuietly(path.join(l.datadir, name));
        // The copied accounts have the source's root password: the server sets this node's own before it
        // accepts a connection (--init-file), as a fresh node's first start does.
        writeNodeFile(l.baseDir, initFile, provisionSql(node.rootPassword, false), identity);
        const offset = nodeFileSize(l.baseDir, l.errorLog);
        fs.rmSync(l.socket, { force: true });
        pid = await server.spawn(l, identity, [`--init-file=${initFile}`]);
        const started = { ...node, pid };
        await waitForLogin(started, async () => isOurProcess(pid, l.cnf), diskLog(l, offset));
        removeQuietly(previous);
        return { node: started, positions, bytes: treeSize(l.datadir) };
      } catch (e) {
        if (pid) await server.stop({ ...node, pid }).catch(() => undefined);
        removeQuietly(l.datadir);
        fs.renameSync(previous, l.datadir);
        throw e instanceof RuntimeError ? e : new RuntimeError(`Physical copy failed: ${(e as Error).message}`);
      } finally {
        removeQuietly(initFile);
      }
    },
  };
}
