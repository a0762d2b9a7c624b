import fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import { nodesDir } from "@/lib/paths";
import { renderInitialMyCnf } from "@/lib/mycnf/render";
import { groupsRead } from "@/lib/mycnf/server-reading";
import type { ConfigCheck, CreateStep, NodeRef, NodeSpec, NodeStatus, Placement, RuntimeDriver } from "./driver";
import { layoutOf, newNodeRef, nodeDirMethods, wiringOf } from "./node-dir";
import { placeOnLoopback } from "./ports";
import { loginStatus, provisionRoot, waitForLogin, waitForSocket } from "./readiness";
import { RuntimeError } from "./driver";
import { claimNodeDir, identityOf, type NodeIdentity } from "./identity";
import { makeServerDirs, nodeLayout } from "./layout";
import { errorLinesSince, lastLines, withCause } from "./server-log";
import { nodeFileSize, writeNodeFile } from "./node-files";
import { printDefaults } from "./print-defaults";
import { storedRuntime } from "./runtime";

export const DEFAULT_IMAGE = process.env.MARINER_IMAGE ?? "mariner/mariadb:10.11";
export const BUILD_HINT = "npm run image:build";

export interface DockerHostSpec {
  name: string;
  /** unix:///path/docker.sock or tcp://host:2376 (TLS client certificates via DOCKER_CERT_PATH). */
  endpoint: string;
  image?: string;
}

export function dockerClient(endpoint: string): Docker {
  if (endpoint.startsWith("unix://")) return new Docker({ socketPath: endpoint.slice("unix://".length) });
  const url = new URL(endpoint.replace(/^tcp:/, "https:"));
  const certs = process.env.DOCKER_CERT_PATH;
  return new Docker({
    host: url.hostname,
    port: Number(url.port || 2376),
    protocol: certs ? "https" : "http",
    ...(certs
      ? {
          ca: fs.readFileSync(path.join(certs, "ca.pem")),
          cert: fs.readFileSync(path.join(certs, "cert.pem")),
          key: fs.readFileSync(path.join(certs, "key.pem")),
        }
      : {}),
  });
}

/**
 * The cage around a server container: the node's own uid (never root inside), no capabilities, no privilege
 * gain, a pids limit, a read-only root filesystem; only its node directory (and a small /tmp) is writable.
 */
function confinement(identity: NodeIdentity | null, baseDir: string) {
  const self = identity ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  return {
    User: `${self.uid}:${self.gid}`,
    HostConfig: {
      Binds: [`${baseDir}:${baseDir}`],
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      PidsLimit: 256,
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m" },
    },
  };
}

/**
 * MariaDB as a container on a Docker engine ("hardnode"). The node directory is bind-mounted at the same
 * path, so my.cnf, data, socket and error log are exactly where the local driver keeps them, and the
 * container uses the host network bound to the node's own loopback address: addresses, replication and the
 * console's checks work the same on every runtime. Images are never pulled.
 */
export class DockerDriver implements RuntimeDriver {
  readonly kind: string;
  private readonly docker: Docker;
  private readonly image: string;
  private version?: string;

  constructor(readonly host: DockerHostSpec) {
    this.kind = storedRuntime({ kind: "docker", host: host.name });
    this.docker = dockerClient(host.endpoint);
    this.image = host.image ?? DEFAULT_IMAGE;
  }

  private async requireImage() {
    try {
      await this.docker.getImage(this.image).inspect();
    } catch {
      throw new RuntimeError(
        `Image ${this.image} is not on Docker host "${this.host.name}". Build it there (no registry is used): ${BUILD_HINT} -- ${this.host.endpoint}`,
      );
    }
  }

  async engineVersion(): Promise<string> {
    if (!this.version) {
      await this.requireImage();
      const out = new PassThrough();
      let text = "";
      out.on("data", (d) => (text += d));
      await this.docker.run(this.image, ["mariadbd", "--version"], out, {
        HostConfig: { AutoRemove: true, NetworkMode: "none" },
      });
      this.version = /Ver\s+(\S+)/.exec(text)?.[1]?.replace(/-MariaDB.*$/, "") ?? "unknown";
    }
    return this.version;
  }

  private container(node: NodeRef) {
    if (!node.containerId) throw new RuntimeError(`Node ${node.nodeId} has no container recorded`);
    return this.docker.getContainer(node.containerId);
  }

  private async running(containerId: string | null): Promise<boolean> {
    if (!containerId) return false;
    try {
      return (await this.docker.getContainer(containerId).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  place(taken: Placement[]): Promise<Placement> {
    return placeOnLoopback(taken); // host network: the same loopback addresses as local processes
  }

  async isAlive(node: NodeRef): Promise<boolean> {
    return this.running(node.containerId);
  }

  async create(
    spec: NodeSpec,
    rootPassword: string,
    onStep: (s: CreateStep) => void | Promise<void>,
  ): Promise<NodeRef> {
    await this.requireImage();
    const ref = newNodeRef(spec, rootPassword);
    const baseDir = ref.baseDir!;
    const l = nodeLayout(baseDir);
    try {
      const identity = await claimNodeDir(baseDir);
      makeServerDirs(l, identity);
      writeNodeFile(baseDir, l.cnf, renderInitialMyCnf(wiringOf(spec, baseDir), spec.memoryMb), identity);
      await onStep("initializing data directory");
      // The container initializes its data directory on first start, then execs mariadbd.
      const script = `[ -d '${l.datadir}/mysql' ] || mariadb-install-db --defaults-file='${l.cnf}' --auth-root-authentication-method=normal --skip-test-db >>'${l.errorLog}' 2>&1 || exit 1; exec mariadbd --defaults-file='${l.cnf}'`;
      const cage = confinement(identity, baseDir);
      const container = await this.docker.createContainer({
        Image: this.image,
        name: `mariner-${spec.nodeId}`,
        Cmd: ["sh", "-c", script],
        Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
        User: cage.User,
        Labels: { "mariner.node": spec.nodeId, "mariner.console": "1" },
        HostConfig: {
          ...cage.HostConfig,
          NetworkMode: "host",
          Memory: spec.memoryMb * 1024 * 1024,
          RestartPolicy: { Name: "no" },
        },
      });
      ref.containerId = container.id;
      await container.start();
      await onStep("starting");
      const alive = () => this.running(container.id);
      await waitForSocket(alive, l);
      await provisionRoot(l.socket, rootPassword);
      await waitForLogin(ref, alive, l);
      await onStep("ready");
      return ref;
    } catch (e) {
      const lines = errorLinesSince(l.errorLog, 0);
      await this.destroy(ref).catch(() => undefined);
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError(withCause(`Docker host "${this.host.name}": ${(e as Error).message}`, lines), lines);
    }
  }

  async start(node: NodeRef): Promise<NodeRef> {
    if (await this.running(node.containerId)) return node;
    const l = layoutOf(node);
    const offset = nodeFileSize(l.baseDir, l.errorLog);
    fs.rmSync(l.socket, { force: true });
    // A container made before identities keeps its (root) user: containers cannot change user; clone to cage it.
    makeServerDirs(l, identityOf(l.baseDir));
    await this.container(node).start();
    await waitForLogin(node, () => this.running(node.containerId), l, offset);
    return node;
  }

  async stop(node: NodeRef): Promise<NodeRef> {
    if (await this.running(node.containerId)) await this.container(node).stop({ t: 60 });
    return { ...node, pid: null };
  }

  async restart(node: NodeRef): Promise<NodeRef> {
    return this.start(await this.stop(node));
  }

  async destroy(node: NodeRef): Promise<void> {
    const l = layoutOf(node);
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`mariner.node=${node.nodeId}`] },
    });
    for (const c of containers) await this.docker.getContainer(c.Id).remove({ force: true });
    const root = path.resolve(nodesDir());
    const dir = path.resolve(l.baseDir);
    if (dir.startsWith(root + path.sep)) fs.rmSync(dir, { recursive: true, force: true });
  }

  async status(node: NodeRef): Promise<NodeStatus> {
    if (!(await this.isAlive(node))) return { state: "stopped", pid: null };
    const s = await loginStatus(node, null);
    return { ...s, detail: s.detail ?? `container ${node.containerId?.slice(0, 12)} on ${this.host.name}` };
  }

  readonly managedOptions = nodeDirMethods.managedOptions;

  readonly readConfig = nodeDirMethods.readConfig;

  readonly writeConfig = nodeDirMethods.writeConfig;

  readonly tailErrorLog = nodeDirMethods.tailErrorLog;

  /** The image's own mariadbd judges the candidate (exec in the running container, else a throwaway one). */
  async validateConfig(node: NodeRef, content: string): Promise<ConfigCheck> {
    const l = layoutOf(node);
    const candidate = path.join(l.baseDir, "my.cnf.candidate");
    const identity = identityOf(l.baseDir);
    writeNodeFile(l.baseDir, candidate, content, identity);
    try {
      const out = new PassThrough();
      const err = new PassThrough();
      let help = "";
      let text = "";
      out.on("data", (d) => (help += d));
      err.on("data", (d) => (text += d));
      const cage = confinement(identity, l.baseDir);
      const [result] = (await this.docker.run(
        this.image,
        ["mariadbd", `--defaults-file=${candidate}`, "--help", "--verbose"],
        [out, err],
        {
          Tty: false,
          User: cage.User,
          HostConfig: { ...cage.HostConfig, AutoRemove: true, NetworkMode: "none" },
        },
      )) as [{ StatusCode: number }];
      if (result.StatusCode === 0) {
        // The candidate sits on the console's disk (bind-mounted): its own parser reads it the way the image's would.
        return {
          ok: true,
          lines: [],
          help,
          notes: text,
          args: await printDefaults(candidate, groupsRead(help), identity, l.baseDir),
        };
      }
      const lines = lastLines(text, 40).filter(
        (x) => /ERROR|error|Fatal|unknown/i.test(x) && !/max_open_files/.test(x),
      );
      return { ok: false, lines: lines.length ? lines : lastLines(text, 5), help, notes: text, args: [] };
    } finally {
      fs.rmSync(candidate, { force: true });
    }
  }

  /** Engine health for the Hosts page: reachable, version, memory. */
  async health() {
    try {
      const [version, info] = await Promise.all([this.docker.version(), this.docker.info()]);
      return {
        ok: true,
        version: version.Version,
        memoryMb: Math.round(info.MemTotal / 1048576),
        containers: info.Containers,
        image: await this.docker
          .getImage(this.image)
          .inspect()
          .then(
            () => true,
            () => false,
          ),
      };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /** Containers of this console with no node row behind them (a console crash mid-create): removed. */
  async removeOrphans(knownNodeIds: Set<string>): Promise<string[]> {
    const containers = await this.docker.listContainers({ all: true, filters: { label: ["mariner.console=1"] } });
    const orphans = containers.filter((c) => !knownNodeIds.has(c.Labels["mariner.node"]));
    for (const c of orphans) await this.docker.getContainer(c.Id).remove({ force: true });
    return orphans.map((c) => c.Labels["mariner.node"]);
  }
}
