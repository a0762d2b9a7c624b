// Rolling a Swarm service to its current files and replica count, and bringing its new task up: wait until it runs
// and root logs in, or report why not with the task's own log lines (an update the Swarm rolled back, a task that
// ended, one never scheduled).
import type Docker from "dockerode";
import { withConnection } from "@/lib/mariadb/connect";
import { RuntimeError, type NodeRef } from "./driver";
import { READY_TIMEOUT_MS, sleep } from "./readiness";
import { withCause } from "./server-log";
import { logsOf, TASK_ENDED, tasksOf, type TaskView } from "./swarm-cluster";
import { filesOf, mountsFor } from "./swarm-objects";
import type { taskTemplate } from "./swarm-service";

const ROLLED_BACK = new Set(["rollback_started", "rollback_completed", "rollback_paused", "paused"]);

export type ServiceSpec = {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: ReturnType<typeof taskTemplate>;
  Mode: { Replicated: { Replicas: number } };
} & Record<string, unknown>;
export type ServiceInfo = {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
  UpdateStatus?: { State?: string };
};

/**
 * Until a task started after `before` runs and root logs in. An update the Swarm rolled back, or a task that
 * ended, fails with that task's own log lines.
 */
export async function awaitStart(docker: Docker, ref: NodeRef, before: Set<string>) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let waiting = "";
  while (Date.now() < deadline) {
    const [info, tasks] = await Promise.all([
      docker.getService(ref.containerId!).inspect() as Promise<ServiceInfo>,
      tasksOf(docker, ref.containerId!),
    ]);
    const fresh = tasks.filter((t) => !before.has(t.id));
    const update = info.UpdateStatus?.State ?? "";
    if (ROLLED_BACK.has(update)) throw await failure(docker, ref, fresh, "Swarm rolled the update back");
    const task = fresh[0];
    if (task?.state === "running" && task.desired === "running" && (await answers(ref))) return;
    if (task && TASK_ENDED.has(task.state) && update !== "updating") throw await failure(docker, ref, fresh);
    waiting = task ? `${task.state}${task.error ? `: ${task.error}` : ""}` : "no task scheduled yet";
    await sleep(task?.state === "running" ? 50 : 200);
  }
  throw new RuntimeError(`mariadbd did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${waiting})`, [
    ...(await logsOf(docker, { serviceId: ref.containerId! }, 15).catch(() => [])),
  ]);
}

function answers(ref: NodeRef): Promise<boolean> {
  const login = { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword };
  return withConnection(login, (c) => c.query("SELECT 1"), 1000).then(
    () => true,
    () => false,
  );
}

async function failure(docker: Docker, ref: NodeRef, tasks: TaskView[], headline = "mariadbd exited during start-up") {
  const failed = tasks.find((t) => TASK_ENDED.has(t.state) && t.state !== "shutdown") ?? tasks[0];
  const logs = failed
    ? await logsOf(docker, { serviceId: ref.containerId!, taskId: failed.id }, 60).catch(() => [])
    : [];
  const errors = logs.filter((l) => /\[ERROR\]|error|Aborting|unknown/i.test(l));
  const lines = [
    ...(errors.length ? errors : logs).slice(-15),
    ...(failed?.error ? [`Swarm: ${failed.error}`] : []),
    ...(headline.startsWith("Swarm") ? [`Swarm: ${headline.slice(6)} (the service runs its previous spec)`] : []),
  ];
  return new RuntimeError(withCause(headline, lines), lines);
}

/** The service with its files as its labels name them; a start or restart when they (or `force`) changed. */
export async function applyService(
  docker: Docker,
  node: NodeRef,
  info: ServiceInfo,
  opts: { replicas?: number; force: boolean },
): Promise<boolean> {
  const spec = info.Spec;
  const replicas = opts.replicas ?? spec.Mode.Replicated.Replicas;
  const mounts = await mountsFor(docker, filesOf(spec.Labels));
  const container = spec.TaskTemplate.ContainerSpec;
  const same =
    JSON.stringify(mounts.Configs) === JSON.stringify(container.Configs ?? []) &&
    JSON.stringify(mounts.Secrets) === JSON.stringify(container.Secrets ?? []);
  if (same && !opts.force && spec.Mode.Replicated.Replicas === replicas) return false;
  const before = new Set((await tasksOf(docker, info.ID)).map((t) => t.id));
  const next = {
    ...spec,
    Mode: { Replicated: { Replicas: replicas } },
    TaskTemplate: {
      ...spec.TaskTemplate,
      ContainerSpec: { ...container, ...mounts },
      ForceUpdate: (spec.TaskTemplate.ForceUpdate ?? 0) + (opts.force ? 1 : 0),
    },
  };
  await docker.getService(info.ID).update({ version: info.Version.Index, ...next } as never);
  if (replicas > 0) await awaitStart(docker, node, before);
  return true;
}
