import path from "node:path";
import type Docker from "dockerode";
import { setServerOptions } from "@/lib/mycnf/parse";
import { renderInitialMyCnf } from "@/lib/mycnf/render";
import type {
  ConfigCheck,
  CreateStep,
  NodeFiles,
  NodeRef,
  NodeSpec,
  NodeStatus,
  Placement,
  RuntimeDriver,
} from "./driver";
import { RuntimeError } from "./driver";
import { BUILD_HINT, DEFAULT_IMAGE, dockerClient, type DockerHostSpec } from "./docker-engine";
import { provisionSql } from "./provision-sql";
import { downloadFile, fileSize, uploadEntries, uploadFile } from "./engine-files";
import {
  CAGE,
  ROOT_READABLE,
  SERVER,
  VOLUME_ROOT,
  errorLines,
  isLoopback,
  layout,
  serverTlsFiles,
  volumeName,
} from "./docker-node";
import { scanInVolume, scanOnDisk } from "./binlog-scan";
import { checkCandidate, runThrowaway } from "./engine-check";
import { engineHealth, removeOrphans } from "./engine-orphans";
import { managedOptionsFor, nodeDirMethods, wiringOf } from "./node-dir";
import { placeOnAddress, placeOnLoopback } from "./ports";
import { loginStatus, waitForLogin, type StartupLog } from "./readiness";
import { lastLines, withCause } from "./server-log";
import { storedRuntime } from "./runtime";

export { BUILD_HINT, DEFAULT_IMAGE, dockerClient, type DockerHostSpec };

const LOG_TAIL_BYTES = 256 * 1024;

const PROVISIONED = `${layout.baseDir}/provisioned`;
const PROBE_TIMEOUT_MS = 3000;

/**
 * MariaDB as a container on a Docker engine ("hardnode") that shares nothing with the console: the node's data,
 * my.cnf, TLS files and logs are in a named volume on that host, written and read through the Engine API only;
 * the console reaches the server at its address over TCP. Images are never pulled.
 */
export class DockerDriver implements RuntimeDriver {
  readonly kind: string;
  private readonly docker: Docker;
  /** The same engine for probes, with a deadline: a host that silently drops traffic must not stall the monitor. */
  private readonly probe: Docker;
  private readonly image: string;
  private version?: string;

  /** The engine client (with this host's credentials), for parts that run other containers there (endpoints). */
  get engine(): Docker {
    return this.docker;
  }

  constructor(readonly host: DockerHostSpec) {
    this.kind = storedRuntime({ kind: "docker", host: host.name });
    this.docker = dockerClient(host.endpoint, host.tls);
    this.probe = dockerClient(host.endpoint, host.tls, PROBE_TIMEOUT_MS);
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
      const { stdout } = await runThrowaway(this.docker, this.image, ["mariadbd", "--version"]);
      this.version = /Ver\s+(\S+)/.exec(stdout)?.[1]?.replace(/-MariaDB.*$/, "") ?? "unknown";
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
      return (await this.probe.getContainer(containerId).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  /** The node's error-log lines written after `offset` bytes (read through the API). */
  private logSince(node: NodeRef, offset: number): StartupLog {
    return async () => {
      // Only the end of the log is fetched (the tenant's server decides how big it grows).
      const container = this.container(node);
      const size = await fileSize(container, layout.errorLog).catch(() => 0);
      const text = (await downloadFile(container, layout.errorLog, LOG_TAIL_BYTES).catch(() => null))?.toString() ?? "";
      return errorLines(size > offset ? text.slice(Math.max(0, text.length - (size - offset))) : text);
    };
  }

  private async logSize(node: NodeRef): Promise<number> {
    return fileSize(this.container(node), layout.errorLog).catch(() => 0);
  }

  /** An engine on this machine: loopback addresses like local servers; another machine: its address, a port each. */
  place(taken: Placement[]): Promise<Placement> {
    const address = this.host.advertisedAddress;
    return address && !isLoopback(address) ? placeOnAddress(address, taken) : placeOnLoopback(taken);
  }

  async hostProblem(): Promise<string | null> {
    const health = await this.health();
    return health.ok
      ? null
      : `Docker host "${this.host.name}" (${this.host.endpoint}) does not answer: ${health.error}`;
  }

  async isAlive(node: NodeRef): Promise<boolean> {
    return this.running(node.containerId);
  }

  async create(spec: NodeSpec, rootPassword: string, onStep: (s: CreateStep) => void | Promise<void>) {
    await this.requireImage();
    const ref: NodeRef = { ...spec, baseDir: null, containerId: null, pid: null, rootPassword };
    try {
      await this.docker.createVolume({
        Name: volumeName(spec.nodeId),
        Labels: { "mariner.node": spec.nodeId, "mariner.console": "1" },
      });
      await onStep("initializing data directory");
      // The container initializes its data directory on first start, and sets the accounts on every start until
      // the console has marked it provisioned (a first start that died half-way must not leave root open).
      const provision = `${layout.baseDir}/provision.sql`;
      const script = `[ -d '${layout.datadir}/mysql' ] || mariadb-install-db --defaults-file='${layout.cnf}' --auth-root-authentication-method=normal --skip-test-db >>'${layout.errorLog}' 2>&1 || exit 1; init=''; [ -f '${PROVISIONED}' ] || init='--init-file=${provision}'; exec mariadbd --defaults-file='${layout.cnf}' $init`;
      const container = await this.docker.createContainer({
        Image: this.image,
        name: `mariner-${spec.nodeId}`,
        Cmd: ["sh", "-c", script],
        Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
        User: `${SERVER.uid}:${SERVER.gid}`,
        Labels: { "mariner.node": spec.nodeId, "mariner.console": "1" },
        HostConfig: {
          ...CAGE,
          Mounts: [{ Type: "volume", Source: volumeName(spec.nodeId), Target: VOLUME_ROOT }],
          NetworkMode: "host",
          Memory: spec.memoryMb * 1024 * 1024,
          RestartPolicy: { Name: "no" },
        },
      });
      ref.containerId = container.id;
      const dir = (name: string) => ({ name, mode: 0o700, ...SERVER });
      const file = (name: string, content: string) => ({ name, content, mode: 0o640, ...ROOT_READABLE });
      const overNetwork = !isLoopback(spec.host);
      const tls = overNetwork ? await serverTlsFiles(spec.host) : null;
      const cnf = renderInitialMyCnf(wiringOf(spec, layout.baseDir), spec.memoryMb);
      await uploadEntries(container, VOLUME_ROOT, [
        dir("node/"),
        dir("node/tmp/"),
        dir("node/files/"),
        { name: "node/tls/", mode: 0o750, ...ROOT_READABLE },
        ...(tls ? tls.files.map((f) => file(`node/tls/${f.name}`, f.content)) : []),
        file("node/my.cnf", tls ? setServerOptions(cnf, tls.options) : cnf),
        file("node/provision.sql", provisionSql(rootPassword, overNetwork)),
      ]);
      await container.start();
      await onStep("starting");
      await waitForLogin(ref, () => this.running(container.id), this.logSince(ref, 0));
      await uploadEntries(container, VOLUME_ROOT, [
        { name: "node/provisioned", content: "", mode: 0o640, ...ROOT_READABLE },
      ]);
      await onStep("ready");
      return ref;
    } catch (e) {
      const lines = ref.containerId ? await this.logSince(ref, 0)().catch(() => []) : [];
      await this.destroy(ref).catch(() => undefined);
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError(withCause(`Docker host "${this.host.name}": ${(e as Error).message}`, lines), lines);
    }
  }

  async start(node: NodeRef): Promise<NodeRef> {
    if (await this.running(node.containerId)) return node;
    const offset = await this.logSize(node);
    await this.container(node).start();
    await waitForLogin(node, () => this.running(node.containerId), this.logSince(node, offset));
    return node;
  }

  async stop(node: NodeRef): Promise<NodeRef> {
    if (await this.running(node.containerId)) await this.container(node).stop({ t: 60 });
    return { ...node, pid: null };
  }

  async restart(node: NodeRef): Promise<NodeRef> {
    return this.start(await this.stop(node));
  }

  /** The container and its volume: nothing of the node is left on the host. */
  async destroy(node: NodeRef): Promise<void> {
    const label = { label: [`mariner.node=${node.nodeId}`] };
    for (const c of await this.docker.listContainers({ all: true, filters: label }))
      await this.docker.getContainer(c.Id).remove({ force: true });
    const { Volumes } = await this.docker.listVolumes({ filters: label });
    for (const v of Volumes ?? []) await this.docker.getVolume(v.Name).remove();
  }

  async status(node: NodeRef): Promise<NodeStatus> {
    if (!(await this.isAlive(node))) return { state: "stopped", pid: null };
    const s = await loginStatus(node, null);
    return { ...s, detail: s.detail ?? `container ${node.containerId?.slice(0, 12)} on ${this.host.name}` };
  }

  // A node made before volumes (baseDir set) keeps its files on this machine's disk, bind-mounted.
  managedOptions(node: NodeRef) {
    return node.baseDir ? nodeDirMethods.managedOptions(node) : managedOptionsFor(layout, node.host, node.port);
  }

  async readConfig(node: NodeRef): Promise<string> {
    if (node.baseDir) return nodeDirMethods.readConfig(node);
    const content = await downloadFile(this.container(node), layout.cnf);
    if (content === null) throw new RuntimeError(`${layout.cnf} is missing on Docker host "${this.host.name}"`);
    return content.toString();
  }

  async writeConfig(node: NodeRef, content: string): Promise<void> {
    if (node.baseDir) return nodeDirMethods.writeConfig(node, content);
    await uploadFile(this.container(node), layout.cnf, content, ROOT_READABLE);
  }

  async tailErrorLog(node: NodeRef, lines = 50): Promise<string[]> {
    if (node.baseDir) return nodeDirMethods.tailErrorLog(node, lines);
    const text = await downloadFile(this.container(node), layout.errorLog, 64 * 1024).catch((e) =>
      Buffer.from(String(e)),
    );
    return lastLines(text?.toString() ?? "", lines);
  }

  /** Works while the engine answers, even with the server's container stopped or dead. */
  scanBinlogs(node: NodeRef, onLine: (line: string) => void): Promise<boolean> {
    return (node.baseDir ? scanOnDisk(node) : scanInVolume(this.docker, this.image, node))(onLine);
  }

  nodeFiles(node: NodeRef): NodeFiles {
    if (node.baseDir) return nodeDirMethods.nodeFiles(node);
    const full = (name: string) => path.posix.join(layout.baseDir, name);
    return {
      path: full,
      read: async (name) => (await downloadFile(this.container(node), full(name)))?.toString() ?? null,
      write: (name, content) => uploadFile(this.container(node), full(name), content, ROOT_READABLE),
      publish: async () => undefined,
    };
  }

  /** The image's own mariadbd judges the candidate on the node's host (see engine-check.ts). */
  validateConfig(node: NodeRef, content: string): Promise<ConfigCheck> {
    return checkCandidate(this.docker, this.image, node, content);
  }

  /** Engine health for the Hosts page: reachable, version, memory, image present. */
  health() {
    return engineHealth(this.probe, this.image);
  }

  /** Containers and volumes of this console with no row behind them (see engine-orphans.ts): removed. */
  removeOrphans(retiredNodeIds: Set<string>, knownProxyIds: Set<string>): Promise<string[]> {
    return removeOrphans(this.docker, retiredNodeIds, knownProxyIds);
  }
}
