// The local runtime: mariadbd as processes of their own uid. Still ~360 lines because the Docker driver inherits
// its readiness waits and provisioning; composing those as parts of their own is issue 13's next step.
import { spawn, execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { nodesDir } from "@/lib/paths";
import { SYSTEM_PLUGIN_DIR } from "@/lib/mycnf/plugins";
import { renderInitialMyCnf, type NodeWiring } from "@/lib/mycnf/render";
import { groupsRead } from "@/lib/mycnf/server-reading";
import { withConnection } from "@/lib/mariadb/connect";
import type { ConfigCheck, CreateStep, NodeRef, NodeSpec, NodeStatus, Placement, RuntimeDriver } from "./driver";
import { RuntimeError } from "./driver";
import { claimNodeDir, identityOf, serverProcessOptions, type NodeIdentity } from "./identity";
import { cageLegacyNode } from "./legacy-cage";
import { nodeLayout, makeServerDirs, type NodeLayout } from "./layout";
import { appendNodeLog, nodeFileSize, readNodeFile, writeNodeFile } from "./node-files";
import { canBind, freePort } from "./ports";
import { printDefaults } from "./print-defaults";
import { isOurProcess, killProcessesOf, readPidFile, serverPidsFor } from "./process";
import { errorLinesSince, lastLines, readTail, withCause } from "./server-log";

const run = promisify(execFile);

const BIN = {
  mariadbd: process.env.MARINER_MARIADBD ?? "/usr/sbin/mariadbd",
  installDb: process.env.MARINER_INSTALL_DB ?? "/usr/bin/mariadb-install-db",
};

export const DEFAULT_PORT = 3306;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalDriver implements RuntimeDriver {
  readonly kind: string = "local";
  protected version?: string;

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

  /**
   * Each node gets its own loopback address on 3306, like a separate host. If an address is taken (say a
   * server bound 0.0.0.0:3306 outside Mariner), fall back to a free port on a loopback address.
   */
  async place(taken: Placement[]): Promise<Placement> {
    const used = new Set(taken.map((t) => `${t.host}:${t.port}`));
    let bindFailures = 0;
    for (let n = 2; n < 65_000 && bindFailures < 4; n++) {
      if (n % 255 === 0) continue;
      const host = `127.0.${Math.floor(n / 255)}.${n % 255}`;
      if (used.has(`${host}:${DEFAULT_PORT}`)) continue;
      if (await canBind(host, DEFAULT_PORT)) return { host, port: DEFAULT_PORT };
      bindFailures++;
    }
    const host = "127.0.0.1";
    for (let i = 0; i < 20; i++) {
      const port = await freePort(host);
      if (!used.has(`${host}:${port}`)) return { host, port };
    }
    throw new RuntimeError("No free loopback address or port left for a new node");
  }

  protected wiring(spec: NodeSpec, baseDir: string): NodeWiring {
    const l = nodeLayout(baseDir);
    return {
      datadir: l.datadir,
      socket: l.socket,
      pidFile: l.pidFile,
      logError: l.errorLog,
      tmpdir: l.tmpdir,
      secureFilePriv: l.filesDir,
      pluginDir: SYSTEM_PLUGIN_DIR,
      bindAddress: spec.host,
      port: spec.port,
      serverId: spec.serverId,
    };
  }

  async create(
    spec: NodeSpec,
    rootPassword: string,
    onStep: (s: CreateStep) => void | Promise<void>,
  ): Promise<NodeRef> {
    const baseDir = path.join(nodesDir(), spec.nodeId);
    const l = nodeLayout(baseDir);
    const ref: NodeRef = {
      nodeId: spec.nodeId,
      host: spec.host,
      port: spec.port,
      baseDir,
      containerId: null,
      pid: null,
      rootPassword,
    };
    try {
      const identity = await claimNodeDir(baseDir);
      makeServerDirs(l, identity);
      writeNodeFile(baseDir, l.cnf, renderInitialMyCnf(this.wiring(spec, baseDir), spec.memoryMb), identity);
      await onStep("initializing data directory");
      await this.installDb(l, identity);
      await onStep("starting");
      const pid = await this.spawnServer(l, identity);
      ref.pid = pid;
      const alive = async () => isOurProcess(pid, l.cnf);
      await this.waitForSocket(alive, l);
      await this.provision(l.socket, rootPassword);
      await this.waitForLogin(ref, alive, l);
      await onStep("ready");
      return ref;
    } catch (e) {
      await this.destroy(ref).catch(() => undefined);
      throw e;
    }
  }

  protected async installDb(l: NodeLayout, identity: NodeIdentity | null): Promise<void> {
    const cnf = l.cnf;
    try {
      // --defaults-file must come first, or the system /etc/mysql config and datadir are read.
      await run(
        BIN.installDb,
        [`--defaults-file=${cnf}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
        {
          maxBuffer: 4 * 1024 * 1024,
          ...serverProcessOptions(identity, l.baseDir),
        },
      );
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
  private spawnServer(l: NodeLayout, identity: NodeIdentity | null): Promise<number> {
    return new Promise((resolve, reject) => {
      const out = appendNodeLog(l.baseDir, l.errorLog, identity);
      const child = spawn(/*turbopackIgnore: true*/ BIN.mariadbd, [`--defaults-file=${l.cnf}`], {
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

  protected async waitForSocket(alive: () => Promise<boolean>, l: NodeLayout, logOffset = 0): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!(await alive())) {
        const lines = errorLinesSince(l.errorLog, logOffset);
        throw new RuntimeError(withCause("mariadbd exited during start-up", lines), lines);
      }
      if (fs.existsSync(l.socket)) {
        try {
          await withConnection(
            { socketPath: l.socket, user: "root", password: "" },
            async (c) => c.query("SELECT 1"),
            1000,
          );
          return;
        } catch (e) {
          if ((e as { code?: string }).code === "ER_ACCESS_DENIED_ERROR") return;
        }
      }
      await sleep(15);
    }
    throw new RuntimeError(
      `mariadbd did not accept connections within ${READY_TIMEOUT_MS / 1000} s`,
      errorLinesSince(l.errorLog, logOffset),
    );
  }

  /** Root gets the generated password on every row; anonymous users (which shadow real ones) are dropped. */
  protected async provision(socket: string, rootPassword: string): Promise<void> {
    await withConnection({ socketPath: socket, user: "root", password: "" }, async (c) => {
      const [rows] = await c.query("SELECT User AS user, Host AS host FROM mysql.user WHERE User IN ('', 'root')");
      for (const { user, host } of rows as { user: string; host: string }[]) {
        const keep = user === "root" && ["localhost", "127.0.0.1", "::1"].includes(host);
        if (keep) await c.query("ALTER USER ?@? IDENTIFIED BY ?", [user, host, rootPassword]);
        else await c.query("DROP USER ?@?", [user, host]);
      }
    });
  }

  protected async waitForLogin(
    ref: NodeRef,
    alive: () => Promise<boolean>,
    l: NodeLayout,
    logOffset = 0,
  ): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError = "";
    while (Date.now() < deadline) {
      if (!(await alive())) {
        const lines = errorLinesSince(l.errorLog, logOffset);
        throw new RuntimeError(withCause("mariadbd exited during start-up", lines), lines);
      }
      try {
        await withConnection(
          { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword },
          (c) => c.query("SELECT 1"),
          1000,
        );
        return;
      } catch (e) {
        lastError = (e as Error).message;
        if ((e as { code?: string }).code === "ER_ACCESS_DENIED_ERROR") {
          throw new RuntimeError("The server is up but refused the root login", [lastError]);
        }
      }
      await sleep(15);
    }
    throw new RuntimeError(`mariadbd did not accept connections within ${READY_TIMEOUT_MS / 1000} s`, [
      ...errorLinesSince(l.errorLog, logOffset),
      lastError,
    ]);
  }

  /** A local node's directory is always nodes/<nodeId>, recorded or not (a crash may precede the record). */
  protected layoutOf(node: NodeRef) {
    return nodeLayout(node.baseDir ?? path.join(nodesDir(), node.nodeId));
  }

  /** The pid we can vouch for: the recorded one, else the pid file, and only if it runs our my.cnf. */
  livePid(node: NodeRef): number | null {
    const l = this.layoutOf(node);
    for (const pid of [node.pid, readPidFile(l.pidFile)]) if (isOurProcess(pid, l.cnf)) return pid!;
    return null;
  }

  async isAlive(node: NodeRef): Promise<boolean> {
    return this.livePid(node) !== null;
  }

  async start(node: NodeRef): Promise<NodeRef> {
    const l = this.layoutOf(node);
    const running = this.livePid(node);
    if (running) return { ...node, pid: running };
    if (!fs.existsSync(l.datadir)) throw new RuntimeError(`Data directory ${l.datadir} is missing`);
    const identity = identityOf(l.baseDir) ?? (await cageLegacyNode(l));
    makeServerDirs(l, identity);
    const offset = nodeFileSize(l.baseDir, l.errorLog);
    fs.rmSync(l.socket, { force: true }); // a stale socket from a killed server would fool the wait
    const pid = await this.spawnServer(l, identity);
    const started = { ...node, pid };
    await this.waitForLogin(started, async () => isOurProcess(pid, l.cnf), l, offset);
    return started;
  }

  async stop(node: NodeRef): Promise<NodeRef> {
    const pid = this.livePid(node);
    if (!pid) return { ...node, pid: null };
    const l = this.layoutOf(node);
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
    const l = this.layoutOf(node);
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
    const pid = this.livePid(node);
    try {
      return await withConnection(
        { host: node.host, port: node.port, user: "root", password: node.rootPassword },
        async (c) => {
          const [rows] = await c.query(
            "SELECT VERSION() AS version, VARIABLE_VALUE AS uptime FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'",
          );
          const row = (rows as { version: string; uptime: string }[])[0];
          return { state: "running" as const, pid, version: row.version, uptimeSeconds: Number(row.uptime) };
        },
        2000,
      );
    } catch (e) {
      return { state: "unresponsive", pid, detail: (e as Error).message };
    }
  }

  managedOptions(node: NodeRef): Record<string, string> {
    const l = this.layoutOf(node);
    const values: Record<string, string> = {
      datadir: l.datadir,
      socket: l.socket,
      "pid-file": l.pidFile,
      "log-error": l.errorLog,
      tmpdir: l.tmpdir,
      "secure-file-priv": l.filesDir,
      "plugin-dir": SYSTEM_PLUGIN_DIR,
      "bind-address": node.host,
      port: String(node.port),
    };
    return values;
  }

  /**
   * `mariadbd --help --verbose` reads the file like a start would (0.05 s), exits non-zero on a bad option and
   * prints the values it resolved. Run as the node's own uid: a plugin it loads runs with no more rights than the
   * server would have.
   */
  async validateConfig(node: NodeRef, content: string): Promise<ConfigCheck> {
    const l = this.layoutOf(node);
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

  async readConfig(node: NodeRef): Promise<string> {
    const l = this.layoutOf(node);
    return readNodeFile(l.baseDir, l.cnf);
  }

  /** Atomic and owned by the server's uid (it reads it); a link planted in its place is replaced, not followed. */
  async writeConfig(node: NodeRef, content: string): Promise<void> {
    const l = this.layoutOf(node);
    writeNodeFile(l.baseDir, l.cnf, content, identityOf(l.baseDir));
  }

  async tailErrorLog(node: NodeRef, lines = 50): Promise<string[]> {
    return lastLines(readTail(this.layoutOf(node).errorLog), lines);
  }
}
