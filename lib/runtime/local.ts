// The local runtime: mariadbd as detached processes of their own uid, composed from the shared parts
// (readiness.ts, node-dir.ts, ports.ts) that the Docker driver uses too.
import { spawn, execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { nodesDir } from "@/lib/paths";
import { renderInitialMyCnf } from "@/lib/mycnf/render";
import { groupsRead } from "@/lib/mycnf/server-reading";
import type { ConfigCheck, CreateStep, NodeRef, NodeSpec, NodeStatus, Placement, RuntimeDriver } from "./driver";
import { RuntimeError } from "./driver";
import { claimNodeDir, identityOf, serverProcessOptions, type NodeIdentity } from "./identity";
import { scanOnDisk } from "./binlog-scan";
import { cageLegacyNode } from "./legacy-cage";
import { nodeLayout, makeServerDirs, type NodeLayout } from "./layout";
import { appendNodeLog, nodeFileSize, writeNodeFile } from "./node-files";
import { localGalera } from "./local-galera";
import { localPhysical, recoverInterruptedSwap } from "./local-physical";
import { placeOnLoopback } from "./ports";
import { copyPristine, keepPristine, pristineKey } from "./pristine";
import { printDefaults } from "./print-defaults";
import { isOurProcess, killProcessesOf, readPidFile, serverPidsFor } from "./process";
import { errorLinesSince, lastLines, withCause } from "./server-log";
import { layoutOf, newNodeRef, nodeDirMethods, wiringOf } from "./node-dir";
import { diskLog, loginStatus, provisionRoot, sleep, waitForLogin, waitForSocket } from "./readiness";

const run = promisify(execFile);

const BIN = {
  mariadbd: process.env.MARINER_MARIADBD ?? "/usr/sbin/mariadbd",
  installDb: process.env.MARINER_INSTALL_DB ?? "/usr/bin/mariadb-install-db",
};

const STOP_TIMEOUT_MS = 60_000;

export class LocalDriver implements RuntimeDriver {
  readonly kind: string = "local";
  private version?: string;

  async engineVersion(): Promise<string> {
    if (!this.version) {
      try {
        const { stdout } = await run(BIN.mariadbd, ["--version"]);
        this.version = /Ver\s+(\S+)/.exec(stdout)?.[1]?.replace(/-MariaDB.*$/, "") ?? stdout.trim();
      } catch {
        throw new RuntimeError(
          `MariaDB server binaries not found (${BIN.mariadbd}). Install them: apt-get install mariadb-server mariadb-client mariadb-backup`,
        );
      }
    }
    return this.version;
  }

  place(taken: Placement[]): Promise<Placement> {
    return placeOnLoopback(taken);
  }

  /** The console's own machine always answers. */
  async hostProblem(): Promise<string | null> {
    return null;
  }

  async create(
    spec: NodeSpec,
    rootPassword: string,
    onStep: (s: CreateStep) => void | Promise<void>,
  ): Promise<NodeRef> {
    const ref = newNodeRef(spec, rootPassword);
    const baseDir = ref.baseDir!;
    const l = nodeLayout(baseDir);
    try {
      const identity = await claimNodeDir(baseDir);
      makeServerDirs(l, identity);
      const cnf = renderInitialMyCnf(wiringOf(spec, baseDir), spec.memoryMb);
      writeNodeFile(baseDir, l.cnf, cnf, identity);
      await onStep("initializing data directory");
      const pristine = pristineKey(await this.engineVersion(), cnf);
      if (!copyPristine(pristine, l.datadir, identity)) {
        await installDb(l, identity);
        keepPristine(pristine, l.datadir);
      }
      await onStep("starting");
      const pid = await spawnServer(l, identity);
      ref.pid = pid;
      const alive = async () => isOurProcess(pid, l.cnf);
      await waitForSocket(alive, l);
      await provisionRoot(l.socket, rootPassword);
      await waitForLogin(ref, alive, diskLog(l));
      await onStep("ready");
      return ref;
    } catch (e) {
      await this.destroy(ref).catch(() => undefined);
      throw e;
    }
  }

  /** The pid we can vouch for: the recorded one, else the pid file, and only if it runs our my.cnf. */
  livePid(node: NodeRef): number | null {
    const l = layoutOf(node);
    for (const pid of [node.pid, readPidFile(l.pidFile)]) if (isOurProcess(pid, l.cnf)) return pid!;
    return null;
  }

  async isAlive(node: NodeRef): Promise<boolean> {
    return this.livePid(node) !== null;
  }

  start(node: NodeRef): Promise<NodeRef> {
    return this.startWith(node, []);
  }

  /** Starts the stopped node with extra mariadbd options (Galera's) and waits for a login (as long as it says). */
  private async startWith(node: NodeRef, extra: string[], readyTimeoutMs?: number): Promise<NodeRef> {
    const l = layoutOf(node);
    const running = this.livePid(node) ?? serverPidsFor(l.cnf)[0] ?? null;
    if (running) return { ...node, pid: running };
    recoverInterruptedSwap(l);
    if (!fs.existsSync(l.datadir)) throw new RuntimeError(`Data directory ${l.datadir} is missing`);
    const identity = identityOf(l.baseDir) ?? (await cageLegacyNode(l));
    // A server that died can leave helpers behind holding its ports (Galera's SST script inherits the
    // group-communication socket and waits minutes for a stream). No server runs as this uid now, so whatever
    // still does is stale: gone before the new server binds.
    if (identity) await killLeftovers(identity.uid);
    makeServerDirs(l, identity);
    const offset = nodeFileSize(l.baseDir, l.errorLog);
    fs.rmSync(l.socket, { force: true }); // a stale socket from a killed server would fool the wait
    const pid = await spawnServer(l, identity, extra);
    const started = { ...node, pid };
    await waitForLogin(started, async () => isOurProcess(pid, l.cnf), diskLog(l, offset), readyTimeoutMs);
    return started;
  }

  async stop(node: NodeRef): Promise<NodeRef> {
    const pid = this.livePid(node);
    if (!pid) return { ...node, pid: null };
    const l = layoutOf(node);
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isOurProcess(pid, l.cnf)) {
      if (Date.now() > deadline) {
        process.kill(pid, "SIGKILL");
        await sleep(200);
        break;
      }
      await sleep(25);
    }
    // Exited is not yet gone: give the event loop (our child) or init (an adopted server) a moment to reap it.
    for (let i = 0; i < 40 && fs.existsSync(`/proc/${pid}`); i++) await sleep(25);
    return { ...node, pid: null };
  }

  async restart(node: NodeRef): Promise<NodeRef> {
    return this.start(await this.stop(node));
  }

  async destroy(node: NodeRef): Promise<void> {
    const l = layoutOf(node);
    const root = path.resolve(nodesDir());
    const dir = path.resolve(l.baseDir);
    if (!dir.startsWith(root + path.sep)) throw new RuntimeError(`Refusing to delete ${dir}: not under ${root}`);
    await this.stop(node);
    // A server spawned just before a crash may have no pid recorded or written yet: find it by its own my.cnf.
    for (const pid of serverPidsFor(l.cnf)) await this.stop({ ...node, pid });
    // Nothing of its identity may outlive it and race the removal (or haunt a later owner of these files).
    const identity = identityOf(dir);
    if (identity) killProcessesOf(identity.uid);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  async status(node: NodeRef): Promise<NodeStatus> {
    if (!(await this.isAlive(node))) return { state: "stopped", pid: null };
    return loginStatus(node, this.livePid(node));
  }

  readonly managedOptions = nodeDirMethods.managedOptions;

  /**
   * `mariadbd --help --verbose` reads the file like a start would (0.05 s), exits non-zero on a bad option and
   * prints the values it resolved. Run as the node's own uid: a plugin it loads runs with no more rights than the
   * server would have.
   */
  async validateConfig(node: NodeRef, content: string): Promise<ConfigCheck> {
    const l = layoutOf(node);
    const candidate = path.join(l.baseDir, "my.cnf.candidate");
    const identity = identityOf(l.baseDir);
    writeNodeFile(l.baseDir, candidate, content, identity);
    try {
      const { stdout, stderr } = await run(BIN.mariadbd, [`--defaults-file=${candidate}`, "--help", "--verbose"], {
        maxBuffer: 8 * 1024 * 1024,
        ...serverProcessOptions(identity, l.baseDir),
      });
      return {
        ok: true,
        lines: [],
        help: stdout,
        notes: stderr,
        args: await printDefaults(candidate, groupsRead(stdout), identity, l.baseDir),
      };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      const lines = lastLines(err.stderr ?? err.message, 40).filter((x) => !/max_open_files/.test(x));
      const errors = lines.filter((x) => /ERROR|error|Fatal|unknown/i.test(x));
      return {
        ok: false,
        lines: errors.length ? errors : lines.slice(-5),
        help: err.stdout ?? "",
        notes: err.stderr ?? "",
        args: [],
      };
    } finally {
      fs.rmSync(candidate, { force: true });
    }
  }

  readonly readConfig = nodeDirMethods.readConfig;

  readonly writeConfig = nodeDirMethods.writeConfig;

  readonly tailErrorLog = nodeDirMethods.tailErrorLog;

  readonly nodeFiles = nodeDirMethods.nodeFiles;

  readonly physical = localPhysical({ stop: (node) => this.stop(node), spawn: spawnServer });

  readonly galera = localGalera({
    startWith: (node, extra, readyTimeoutMs) => this.startWith(node, extra, readyTimeoutMs),
    isAlive: (node) => this.isAlive(node),
  });

  scanBinlogs(node: NodeRef, onLine: (line: string) => void): Promise<boolean> {
    return scanOnDisk(node)(onLine);
  }
}

async function killLeftovers(uid: number) {
  const pids = killProcessesOf(uid);
  for (let i = 0; i < 80 && pids.some((pid) => fs.existsSync(`/proc/${pid}`)); i++) await sleep(25);
}

async function installDb(l: NodeLayout, identity: NodeIdentity | null): Promise<void> {
  const cnf = l.cnf;
  try {
    // --defaults-file must come first, or the system /etc/mysql config and datadir are read.
    await run(BIN.installDb, [`--defaults-file=${cnf}`, "--auth-root-authentication-method=normal", "--skip-test-db"], {
      maxBuffer: 4 * 1024 * 1024,
      ...serverProcessOptions(identity, l.baseDir),
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    // The bootstrap server writes the real cause (disk full, permissions…) to the node's error log.
    const fromLog = errorLinesSince(l.errorLog, 0);
    const fromOutput = lastLines(`${err.stdout ?? ""}\n${err.stderr ?? ""}`, 30).filter((line) =>
      /error|denied|cannot|can't|fail/i.test(line),
    );
    const lines = [...fromLog, ...fromOutput];
    throw new RuntimeError(
      withCause("Initializing the data directory failed", lines),
      lines.length ? lines : lastLines(err.stderr ?? err.message, 10),
    );
  }
}

/**
 * Detached in its own session so the server outlives console restarts (and is adopted afterwards); as the
 * node's own uid with a scrubbed environment.
 */
function spawnServer(l: NodeLayout, identity: NodeIdentity | null, extra: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = appendNodeLog(l.baseDir, l.errorLog, identity);
    const child = spawn(/*turbopackIgnore: true*/ BIN.mariadbd, [`--defaults-file=${l.cnf}`, ...extra], {
      detached: true,
      stdio: ["ignore", out, out],
      ...serverProcessOptions(identity, l.baseDir),
    });
    fs.closeSync(out);
    child.once("error", (e) => reject(new RuntimeError(`Could not start mariadbd: ${e.message}`)));
    child.once("spawn", () => {
      child.unref();
      resolve(child.pid!);
    });
  });
}
