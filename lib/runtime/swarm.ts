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
  PlacementHints,
  RuntimeDriver,
} from "./driver";
import { RuntimeError } from "./driver";
import { BUILD_HINT, DEFAULT_IMAGE, dockerClient, type DockerHostSpec } from "./docker-engine";
import { serverTlsFiles } from "./docker-node";
import { checkCandidate, runThrowaway } from "./engine-check";
import { engineHealth } from "./engine-orphans";
import { managedOptionsFor, wiringOf } from "./node-dir";
import { placeOnAddress } from "./ports";
import { provisionSql } from "./provision-sql";
import { loginStatus, sleep } from "./readiness";
import { lastLines, withCause } from "./server-log";
import { storedRuntime } from "./runtime";
import { chooseNode, logsOf, swarmNodes, TASK_ENDED, tasksOf } from "./swarm-cluster";
import {
  fileLabels,
  filesOf,
  kindOf,
  mountsFor,
  readConfigObject,
  removeObjects,
  storeObject,
  targetOf,
} from "./swarm-objects";
import { ROLLBACK_CONFIG, SWARM_LOG, swarmLayout, taskTemplate, UPDATE_CONFIG } from "./swarm-service";
import { swarmOrphans, wipeVolume } from "./swarm-janitor";
import { applyService, awaitStart, type ServiceInfo } from "./swarm-rollout";

const PROBE_TIMEOUT_MS = 3000;

/**
 * MariaDB as a Swarm service (see swarm-service.ts), driven through the manager's API only: the console never talks
 * to a worker's engine. Stop is scale 0, start scale 1, restart a forced update; an update that does not come up
 * is rolled back by the Swarm and reported with the failed task's own log lines.
 */
export class SwarmDriver implements RuntimeDriver {
  readonly kind: string;
  private readonly docker: Docker;
  private readonly probe: Docker;
  private readonly image: string;
  private version?: string;

  constructor(readonly swarm: DockerHostSpec) {
    this.kind = storedRuntime({ kind: "swarm", cluster: swarm.name });
    this.docker = dockerClient(swarm.endpoint, swarm.tls);
    this.probe = dockerClient(swarm.endpoint, swarm.tls, PROBE_TIMEOUT_MS);
    this.image = swarm.image ?? DEFAULT_IMAGE;
  }

  /** The manager's client, for the Hosts page and placement. */
  get manager(): Docker {
    return this.docker;
  }

  async engineVersion(): Promise<string> {
    if (!this.version) {
      await this.docker
        .getImage(this.image)
        .inspect()
        .catch(() => {
          throw new RuntimeError(
            `Image ${this.image} is not on the manager of Swarm "${this.swarm.name}". Build it on every node (no registry is used): ${BUILD_HINT}`,
          );
        });
      const { stdout } = await runThrowaway(this.docker, this.image, ["mariadbd", "--version"]);
      this.version = /Ver\s+(\S+)/.exec(stdout)?.[1]?.replace(/-MariaDB.*$/, "") ?? "unknown";
    }
    return this.version;
  }

  nodes() {
    return swarmNodes(this.probe);
  }

  /** A ready, active node away from the hinted servers (see chooseNode), then a free port on its address. */
  async place(taken: Placement[], hints: PlacementHints = {}): Promise<Placement> {
    const load = new Map<string, number>();
    for (const t of taken) load.set(t.host, (load.get(t.host) ?? 0) + 1);
    const node = chooseNode(await swarmNodes(this.docker), { avoid: hints.avoid, label: hints.label, load });
    return placeOnAddress(node.address, taken);
  }

  /** The manager not answering, or (given a node) the Swarm node its server is pinned to being down or drained. */
  async hostProblem(node?: NodeRef): Promise<string | null> {
    const health = await this.health();
    if (!health.ok) return `Swarm "${this.swarm.name}" (${this.swarm.endpoint}) does not answer: ${health.error}`;
    if (!node) return null;
    const there = (await swarmNodes(this.probe).catch(() => [])).find((n) => n.address === node.host);
    if (!there) return `No node of Swarm "${this.swarm.name}" has the address ${node.host} any more`;
    if (there.state !== "ready") return `Swarm node ${there.address} (${there.hostname}) is ${there.state}`;
    if (there.availability === "drain") return `Swarm node ${there.address} (${there.hostname}) is drained`;
    return null;
  }

  private info(node: NodeRef, client = this.docker): Promise<ServiceInfo> {
    if (!node.containerId) throw new RuntimeError(`Node ${node.nodeId} has no Swarm service recorded`);
    return client.getService(node.containerId).inspect() as Promise<ServiceInfo>;
  }

  /** A running task on a ready node: the manager keeps a lost node's last task state until it gives the node up. */
  async isAlive(node: NodeRef): Promise<boolean> {
    if (!node.containerId) return false;
    const [tasks, nodes] = await Promise.all([
      tasksOf(this.probe, node.containerId).catch(() => []),
      swarmNodes(this.probe).catch(() => []),
    ]);
    const ready = new Set(nodes.filter((n) => n.state === "ready").map((n) => n.id));
    return tasks.some((t) => t.state === "running" && t.desired === "running" && ready.has(t.nodeId));
  }

  /**
   * Whether the server's container has really ended: a scaled-down task is desired "shutdown" at once but stays
   * "running" until mariadbd has flushed and exited, and its volume must not be touched before that. A task on a
   * node that is down counts as ended (nothing here can wait for it; the node is fenced by the Swarm).
   */
  private async hasExited(node: NodeRef): Promise<boolean> {
    if (!node.containerId) return true;
    const [tasks, nodes] = await Promise.all([tasksOf(this.probe, node.containerId), swarmNodes(this.probe)]);
    const ready = new Set(nodes.filter((n) => n.state === "ready").map((n) => n.id));
    return tasks.every((t) => TASK_ENDED.has(t.state) || !ready.has(t.nodeId));
  }

  async create(spec: NodeSpec, rootPassword: string, onStep: (s: CreateStep) => void | Promise<void>) {
    const ref: NodeRef = { ...spec, baseDir: null, containerId: null, pid: null, rootPassword };
    try {
      const node = (await swarmNodes(this.docker)).find((n) => n.address === spec.host);
      if (!node) throw new RuntimeError(`No node of Swarm "${this.swarm.name}" has the address ${spec.host}`);
      const tls = await serverTlsFiles(spec.host, (name) => targetOf(`tls/${name}`));
      const cnf = renderInitialMyCnf({ ...wiringOf(spec, swarmLayout.baseDir), logError: SWARM_LOG }, spec.memoryMb);
      const content: Record<string, string> = {
        "my.cnf": setServerOptions(cnf, tls.options),
        "provision.sql": provisionSql(rootPassword, true),
        ...Object.fromEntries(tls.files.map((f) => [`tls/${f.name}`, f.content])),
      };
      const files = Object.fromEntries(
        await Promise.all(
          Object.entries(content).map(async ([name, text]) => [
            name,
            await storeObject(this.docker, spec.nodeId, name, text),
          ]),
        ),
      ) as Record<string, string>;
      await onStep("initializing data directory");
      const { id } = (await this.docker.createService({
        Name: `mariner-${spec.nodeId}`,
        Labels: { "mariner.node": spec.nodeId, "mariner.console": "1", ...fileLabels(files) },
        TaskTemplate: taskTemplate({
          nodeId: spec.nodeId,
          swarmNodeId: node.id,
          image: this.image,
          memoryMb: spec.memoryMb,
          mounts: await mountsFor(this.docker, files),
        }),
        Mode: { Replicated: { Replicas: 1 } },
        UpdateConfig: UPDATE_CONFIG,
        RollbackConfig: ROLLBACK_CONFIG,
      } as never)) as { id: string };
      ref.containerId = id;
      await onStep("starting");
      await awaitStart(this.docker, ref, new Set());
      await this.forget(ref, "provision.sql");
      await onStep("ready");
      return ref;
    } catch (e) {
      const lines = e instanceof RuntimeError ? e.serverLines : [];
      await this.destroy(ref).catch(() => undefined);
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError(withCause(`Swarm "${this.swarm.name}": ${(e as Error).message}`, lines), lines);
    }
  }

  /**
   * A file the next task no longer mounts (a label change: this task keeps running). The accounts' SQL is
   * forgotten once the server is provisioned, so later starts do not reset what the tenant did to root.
   */
  private async forget(node: NodeRef, name: string) {
    const info = await this.info(node);
    const labels = { ...info.Spec.Labels };
    delete labels[Object.keys(fileLabels({ [name]: "" }))[0]];
    await this.docker
      .getService(info.ID)
      .update({ version: info.Version.Index, ...info.Spec, Labels: labels } as never);
  }

  private async apply(node: NodeRef, opts: { replicas?: number; force: boolean }) {
    return applyService(this.docker, node, await this.info(node), opts);
  }

  /** A running server is left as it is; a stopped one or a dead task comes up with the files its labels name. */
  async start(node: NodeRef): Promise<NodeRef> {
    if (!(await this.isAlive(node))) await this.apply(node, { replicas: 1, force: true });
    return node;
  }

  async stop(node: NodeRef): Promise<NodeRef> {
    await this.apply(node, { replicas: 0, force: false });
    const deadline = Date.now() + 70_000;
    while (!(await this.hasExited(node)) && Date.now() < deadline) await sleep(100);
    return { ...node, pid: null };
  }

  async restart(node: NodeRef): Promise<NodeRef> {
    await this.apply(node, { replicas: 1, force: true });
    return node;
  }

  /** Service, configs and secrets through the manager; the volume emptied by a one-shot task on its node. */
  async destroy(node: NodeRef): Promise<void> {
    const services = await this.docker.listServices({ filters: { label: [`mariner.node=${node.nodeId}`] } });
    const placed = services[0]?.Spec?.TaskTemplate?.Placement?.Constraints?.[0]?.replace(/^node\.id==/, "");
    for (const s of services) {
      // Scaled to 0 and waited for first: the server has stopped before its volume is wiped and its port reused.
      await this.stop({ ...node, containerId: s.ID }).catch(() => undefined);
      await this.docker.getService(s.ID).remove();
    }
    const left = placed ? await wipeVolume(this.docker, this.image, node.nodeId, placed) : null;
    if (left) console.warn(`Mariner: deleting ${node.nodeId} on Swarm "${this.swarm.name}": ${left}`);
    await removeObjects(this.docker, node.nodeId);
  }

  async status(node: NodeRef): Promise<NodeStatus> {
    if (!(await this.isAlive(node))) return { state: "stopped", pid: null };
    const s = await loginStatus(node, null);
    return { ...s, detail: s.detail ?? `service ${node.containerId?.slice(0, 12)} on Swarm ${this.swarm.name}` };
  }

  managedOptions(node: NodeRef) {
    return { ...managedOptionsFor(swarmLayout, node.host, node.port), "log-error": SWARM_LOG };
  }

  async readConfig(node: NodeRef): Promise<string> {
    const text = await this.nodeFiles(node).read("my.cnf");
    if (text === null) throw new RuntimeError(`my.cnf of ${node.nodeId} is missing on Swarm "${this.swarm.name}"`);
    return text;
  }

  /** A new config object, named in the service's labels: the next start or restart mounts it. */
  writeConfig(node: NodeRef, content: string): Promise<void> {
    return this.nodeFiles(node).write("my.cnf", content);
  }

  async tailErrorLog(node: NodeRef, lines = 50): Promise<string[]> {
    if (!node.containerId) return [];
    const tasks = await tasksOf(this.probe, node.containerId).catch(() => []);
    const task = tasks.find((t) => t.state !== "new" && t.state !== "pending") ?? tasks[0];
    const logs = await logsOf(this.probe, { serviceId: node.containerId, taskId: task?.id }, lines).catch((e) => [
      `(the Swarm gave no log: ${(e as Error).message})`,
    ]);
    return lastLines(logs.join("\n"), lines);
  }

  /** Binary logs stay in the volume on the Swarm node; they are not read from here (the pre-flight says so). */
  async scanBinlogs(): Promise<boolean> {
    return false;
  }

  nodeFiles(node: NodeRef): NodeFiles {
    return {
      path: targetOf,
      read: async (name) => {
        if (kindOf(name) === "secret") throw new RuntimeError(`${name} is a Swarm secret: the engine never returns it`);
        const object = filesOf((await this.info(node)).Spec.Labels)[name];
        return object ? readConfigObject(this.docker, object) : null;
      },
      write: async (name, content) => {
        const object = await storeObject(this.docker, node.nodeId, name, content);
        const info = await this.info(node);
        const spec = { ...info.Spec, Labels: { ...info.Spec.Labels, ...fileLabels({ [name]: object }) } };
        await this.docker.getService(info.ID).update({ version: info.Version.Index, ...spec } as never);
      },
      // With the replica count it has: a stopped server stays stopped and mounts the files when it starts.
      publish: async () => {
        if (await this.apply(node, { force: false })) {
          const keep = new Set(Object.values(filesOf((await this.info(node)).Spec.Labels)));
          await removeObjects(this.docker, node.nodeId, keep);
        }
      },
    };
  }

  /** Judged by the image's mariadbd on the manager (no network, the node's directories made empty there). */
  validateConfig(node: NodeRef, content: string): Promise<ConfigCheck> {
    const l = swarmLayout;
    return checkCandidate(this.docker, this.image, node, content, { dirs: [l.datadir, l.tmpdir, l.filesDir] });
  }

  /** The manager's health, and whether it manages a Swarm at all. */
  async health() {
    const base = await engineHealth(this.probe, this.image);
    if (!base.ok) return base;
    const info = await this.probe.info().catch(() => null);
    if (!info?.Swarm?.ControlAvailable)
      return { ok: false, error: `${this.swarm.endpoint} is not a Swarm manager (docker swarm init on it first)` };
    return base;
  }

  /** Services and objects of retired nodes: removed. */
  removeOrphans(retiredNodeIds: Set<string>): Promise<{ removed: string[]; gone: Set<string> }> {
    return swarmOrphans(this.docker, retiredNodeIds);
  }
}
