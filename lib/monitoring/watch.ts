import { db } from "@/lib/db/client";
import { isLocked, withLock } from "@/lib/locks";
import { dockerHostNames, driverFor, swarmNames } from "@/lib/runtime";
import type { SwarmDriver } from "@/lib/runtime/swarm";
import { healTopologies } from "@/lib/topology/heal";
import type { DockerDriver } from "@/lib/runtime/docker";
import { RuntimeError } from "@/lib/runtime/driver";
import { storedRuntime } from "@/lib/runtime/runtime";
import { forgetRetired, retiredOn, retireNodes } from "@/lib/runtime/retired";
import { nodeRefOf } from "@/lib/environments/spec";
import { resolvePendingRevisions } from "@/lib/environments/config-revisions";
import { reconcileEndpoints } from "@/lib/proxy/endpoints";
import { refreshGaleraEndpoints } from "@/lib/galera/endpoints";
import { anotherMemberRunning, settleInterruptedClusters } from "@/lib/galera/monitor";
import { actorById } from "@/lib/auth/users";
import { beginFailover, vantagePoints } from "@/lib/topology";
import { observeSemiSync } from "./semisync";

const g = globalThis as unknown as {
  marinerMonitor?: NodeJS.Timeout;
  marinerMasterWatch?: NodeJS.Timeout;
  marinerRestarts?: Map<string, number[]>;
  marinerDownSince?: Map<string, number>;
  marinerFailoverTried?: Map<string, number>;
};
const restarts = (g.marinerRestarts ??= new Map<string, number[]>());
const downSince = (g.marinerDownSince ??= new Map<string, number>());
const failoverTried = (g.marinerFailoverTried ??= new Map<string, number>());
const FAILOVER_RETRY_MS = 30_000;
/** A dead master's slaves are asked whether they still receive at most this often (each asking logs into all). */
const VANTAGE_EVERY_MS = 500;
const vantageAskedAt = new Map<string, number>();
const VANTAGE_DEADLINE_MS = 3000;

const ORPHAN_SWEEP_MS = 30_000;
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 5 * 60_000;

export function restartPolicy(): "always" | "never" {
  return process.env.MARINER_RESTART_POLICY === "never" ? "never" : "always";
}

/**
 * After a console restart: finish what a crash interrupted (half-created or half-deleted environments are
 * removed, running operations marked failed), adopt live servers, restart the ones that should run.
 */
export async function reconcile(): Promise<void> {
  await db().operation.updateMany({
    where: { status: "running" },
    data: {
      status: "failed",
      error: "The console stopped while this operation ran; it was rolled back",
      finishedAt: new Date(),
    },
  });
  // Before the environments: a half-created cluster's members are marked half-created, removed below.
  await settleInterruptedClusters();
  const envs = await db().environment.findMany({ include: { nodes: true } });
  await removeOrphanContainers();
  await reconcileEndpoints();
  await resolvePendingRevisions();
  await Promise.all(
    envs.map((env) =>
      withLock(env.id, async () => {
        const driver = driverFor(env.runtime);
        if (env.status === "creating" || env.status === "deleting") {
          for (const node of env.nodes)
            await driver.destroy(nodeRefOf(node)).catch(() => retireNodes(env.runtime, [node.id]));
          await db().environment.delete({ where: { id: env.id } });
          return;
        }
        await checkEnvironment(env.id, { restart: env.desiredState === "running" });
      }),
    ),
  );
  // What the loop above just retired, should its host answer again already.
  await removeOrphanContainers();
}

/**
 * What a failed removal left on an engine or Swarm (retired nodes, see lib/runtime/retired.ts): removed once the
 * host answers. Containers no row and no retired node names are left alone.
 */
async function removeOrphanContainers() {
  const endpoints = await db().proxyEndpoint.findMany({ select: { id: true, runtime: true } });
  for (const host of dockerHostNames()) {
    const runtime = storedRuntime({ kind: "docker", host });
    const here = new Set(endpoints.filter((e) => e.runtime === runtime).map((e) => e.id));
    const retired = await retiredOn(runtime);
    try {
      const removed = await (driverFor({ kind: "docker", host }) as DockerDriver).removeOrphans(retired, here);
      await forgetRetired(runtime, retired);
      if (removed.length) console.log(`Mariner: removed ${removed.length} orphan container(s) on ${host}`);
    } catch {
      /* the host does not answer: next sweep */
    }
  }
  for (const cluster of swarmNames()) {
    const runtime = storedRuntime({ kind: "swarm", cluster });
    const retired = await retiredOn(runtime);
    try {
      const { removed, gone } = await (driverFor({ kind: "swarm", cluster }) as SwarmDriver).removeOrphans(retired);
      await forgetRetired(runtime, gone);
      if (removed.length) console.log(`Mariner: removed ${removed.length} orphan service(s) on Swarm ${cluster}`);
    } catch {
      /* the manager does not answer: next sweep */
    }
  }
}

/**
 * One look at one environment: is its server alive? Marks it down (with the server's last error lines) when it
 * died, and, under the restart policy, starts it again (at most 3 times in 5 minutes, then it stays down).
 */
export async function checkEnvironment(environmentId: string, opts: { restart: boolean }): Promise<string> {
  const env = await db().environment.findUnique({ where: { id: environmentId }, include: { nodes: true } });
  if (!env || !env.nodes[0] || env.status === "creating" || env.status === "deleting") return env?.status ?? "gone";
  const node = env.nodes[0];
  const driver = driverFor(env.runtime);
  const ref = nodeRefOf(node);
  const alive = await driver.isAlive(ref);
  if (alive) downSince.delete(env.id);
  if (alive) {
    const status = env.desiredState === "running" ? "running" : "stopped";
    if (env.desiredState === "stopped") await driver.stop(ref); // desired state wins
    if (env.status !== status) await setStatus(env.id, status, null);
    return status;
  }
  if (env.desiredState === "stopped") {
    if (env.status !== "stopped") {
      // Said to the runtime too, not only recorded: a Swarm would otherwise start the task again when its node
      // returns (a fenced old master coming back). Best effort: the node may be gone with its machine.
      await driver.stop(ref).catch(() => undefined);
      await setStatus(env.id, "stopped", env.statusDetail);
    }
    return "stopped";
  }
  // The machine itself not answering is not the server dying: nothing can be restarted there, only failed over.
  const hostProblem = await driver.hostProblem(ref);
  if (hostProblem) {
    if (env.status !== "unreachable" || env.statusDetail !== hostProblem)
      await setStatus(env.id, "unreachable", hostProblem);
    return env.autoFailover ? autoFailover(env) : "unreachable";
  }
  const lines = await driver.tailErrorLog(ref, 5).catch(() => []);
  if (env.status !== "down")
    await setStatus(env.id, "down", `The server is not running. Last log lines:\n${lines.join("\n")}`);
  if (env.autoFailover) return autoFailover(env);
  if (!opts.restart || restartPolicy() === "never") return "down";
  // A Galera member restarted alone rejoins its running siblings; with none running it could only wait for a
  // primary component that is not there: that is a cluster recovery (the most advanced member first), not a restart.
  if (env.galeraClusterId && !(await anotherMemberRunning(env.galeraClusterId, env.id))) {
    const detail = "Every member of its Galera cluster is down: Recover the cluster on its page";
    if (env.statusDetail !== detail) await setStatus(env.id, "down", detail);
    return "down";
  }

  const now = Date.now();
  const recent = (restarts.get(env.id) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
  if (recent.length >= MAX_RESTARTS) {
    await setStatus(
      env.id,
      "down",
      `Restarted ${MAX_RESTARTS} times in 5 minutes; giving up until you start it.\n${lines.join("\n")}`,
    );
    return "down";
  }
  restarts.set(env.id, [...recent, now]);
  const restart = async () => {
    try {
      // A Galera member comes back from where its data stands, so it catches up by IST, not a full copy.
      const after = await (env.galeraClusterId && driver.galera ? driver.galera.rejoin(ref) : driver.start(ref));
      await db().node.update({ where: { id: node.id }, data: { pid: after.pid, startedAt: new Date() } });
      await db().operation.create({
        data: {
          action: "environment.auto-restart",
          environmentId: env.id,
          target: env.name,
          status: "succeeded",
          finishedAt: new Date(),
        },
      });
      await setStatus(env.id, "running", null);
      return "running";
    } catch (e) {
      const detail = e instanceof RuntimeError ? [e.message, ...e.serverLines].join("\n") : (e as Error).message;
      await setStatus(env.id, "down", `Automatic restart failed: ${detail}`);
      return "down";
    }
  };
  if (!env.galeraClusterId) return restart();
  // A rejoin may read the position (InnoDB recovery) and take a state transfer: it runs off this pass, under the
  // member's own lock (queued behind the one held now), so no other server's check waits for it. By then someone
  // may have stopped, started or deleted it: looked at again first.
  void withLock(env.id, async () => {
    const now = await db().environment.findUnique({ where: { id: env.id } });
    if (now?.desiredState === "running" && now.status === "down") await restart();
  }).catch((e) => console.error(`Mariner monitor (${env.name}):`, (e as Error).message));
  return "down";
}

/**
 * A master under the automatic failover policy is not restarted (it could come back as a second writer). Dead on
 * every probe for the confirmation window, and dead to its slaves too (none still receiving: the second vantage
 * point), it is failed over with the same pre-flight as a manual failover.
 */
async function autoFailover(env: { id: string; name: string; ownerId: string; failoverConfirmMs: number }) {
  const now = Date.now();
  const since = downSince.get(env.id) ?? now;
  downSince.set(env.id, since);
  if (now - since < env.failoverConfirmMs) return "down";
  if (now - (failoverTried.get(env.id) ?? 0) < FAILOVER_RETRY_MS) return "down";
  const actor = await actorById(env.ownerId);
  if (!actor) return "down";
  // Slaves still receiving (a killed server's connections drop at once; a partitioned one's after the 4 s
  // slave-net-timeout): not dead to everyone yet, so look again on the next probe instead of failing a failover.
  if (now - (vantageAskedAt.get(env.id) ?? 0) < VANTAGE_EVERY_MS) return "down";
  vantageAskedAt.set(env.id, now);
  // Bounded: slaves that hang must not hold this master's probe (and its lock) for ever.
  const seen = await Promise.race([
    vantagePoints(actor, env.name).catch(() => null),
    new Promise<null>((r) => setTimeout(() => r(null), VANTAGE_DEADLINE_MS).unref()),
  ]);
  // Unknown (no answer within the deadline, e.g. slaves on a machine that is gone): the failover's own first phase
  // asks again and refuses if the master lives or a slave still receives.
  if (seen && (seen.alive || seen.receiving > 0)) return "down";
  failoverTried.set(env.id, now);
  const { done } = await beginFailover(actor, env.name, {}, { automatic: true });
  // Not awaited under the environment's lock: the failover takes the topology lock and other environments'.
  done
    .catch((e) => setStatus(env.id, "down", `Automatic failover did not run: ${(e as Error).message}`))
    .catch((e) => console.error("Mariner automatic failover:", (e as Error).message));
  return "failing-over";
}

async function setStatus(id: string, status: string, detail: string | null) {
  await db().environment.update({ where: { id }, data: { status, statusDetail: detail, statusAt: new Date() } });
}

/** Topologies on a Swarm that keep slaves are looked at this often. */
const HEAL_EVERY_MS = 5000;
/** Galera endpoints follow which members are Synced: looked at this often (HAProxy covers a dead writer at once). */
const GALERA_EVERY_MS = 2000;

/** Every 2 s: liveness of every node (pid checks, no logins), so a killed server shows as down within seconds. */
export function startMonitor(intervalMs = 2000): void {
  if (g.marinerMonitor) return;
  let busy = false;
  let sweptAt = Date.now();
  let healedAt = 0;
  let galeraAt = 0;
  g.marinerMonitor = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      // A host that comes back may bring containers the console replaced meanwhile (an endpoint that moved).
      if (Date.now() - sweptAt > ORPHAN_SWEEP_MS) {
        sweptAt = Date.now();
        await removeOrphanContainers();
      }
      // Masters under automatic failover are the master watch's (below), each on its own.
      const envs = await db().environment.findMany({
        where: {
          status: { notIn: ["creating", "deleting"] },
          NOT: { autoFailover: true, desiredState: "running" },
        },
        select: { id: true },
      });
      // Skip environments with an operation in flight: their lock holder owns the status.
      // One environment that cannot be checked must not skip the checks of everyone else.
      await Promise.all(
        envs
          .filter((e) => !isLocked(e.id))
          .map((e) =>
            withLock(e.id, () => checkEnvironment(e.id, { restart: true })).catch((err) =>
              console.error(`Mariner monitor (${e.id}):`, (err as Error).message),
            ),
          ),
      );
      if (Date.now() - galeraAt > GALERA_EVERY_MS) {
        galeraAt = Date.now();
        refreshGaleraEndpoints().catch((e) => console.error("Mariner Galera endpoints:", (e as Error).message));
      }
      if (Date.now() - healedAt > HEAL_EVERY_MS) {
        healedAt = Date.now();
        // Not awaited: healing adds servers, which must not hold up the liveness checks of everyone else.
        healTopologies().catch((e) => console.error("Mariner healing:", (e as Error).message));
      }
    } catch (e) {
      console.error("Mariner monitor:", (e as Error).message);
    } finally {
      busy = false;
    }
  }, intervalMs);
  g.marinerMonitor.unref();
  watchMasters();
}

/**
 * Masters under automatic failover are probed every 200 ms: detection is not what makes writers wait. Semi-sync
 * masters are looked at every second (active or fallen back), apart, so a slow login never delays a probe.
 */
function watchMasters(intervalMs = 200) {
  let busy = false;
  const probing = new Set<string>();
  let observing = false;
  let observedAt = 0;
  g.marinerMasterWatch = setInterval(async () => {
    if (!observing && Date.now() - observedAt >= 1000) {
      observing = true;
      observedAt = Date.now();
      observeSemiSync()
        .catch((e) => console.error("Mariner semi-sync:", (e as Error).message))
        .finally(() => (observing = false));
    }
    if (busy) return;
    busy = true;
    try {
      const masters = await db().environment.findMany({
        where: { autoFailover: true, desiredState: "running", status: { notIn: ["creating", "deleting"] } },
        select: { id: true },
      });
      // Each master on its own: one whose slaves hang (asked for their IO threads) never delays another's probe.
      for (const { id } of masters) {
        if (probing.has(id) || isLocked(id)) continue;
        probing.add(id);
        withLock(id, () => checkEnvironment(id, { restart: true }))
          .catch((e) => console.error("Mariner master watch:", (e as Error).message))
          .finally(() => probing.delete(id));
      }
    } catch (e) {
      console.error("Mariner master watch:", (e as Error).message);
    } finally {
      busy = false;
    }
  }, intervalMs);
  g.marinerMasterWatch.unref();
}

export function stopMonitor(): void {
  if (g.marinerMonitor) clearInterval(g.marinerMonitor);
  if (g.marinerMasterWatch) clearInterval(g.marinerMasterWatch);
  g.marinerMonitor = g.marinerMasterWatch = undefined;
}
