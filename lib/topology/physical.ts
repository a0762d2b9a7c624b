// Seeding by physical copy: one `mariadb-backup --stream` of a donor (a healthy slave, as the article advises for
// backups; the master otherwise) unpacked straight into each target, prepared, started, and positioned at the GTID
// the copy recorded. Chosen over a logical dump whenever both ends run where their data directory can be reached.
import { PassThrough, type Writable } from "node:stream";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { ServiceError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { setSlavePosition } from "@/lib/mariadb/replication";
import { driverFor } from "@/lib/runtime";
import { RuntimeError, type BackupPositions, type PhysicalCopier, type PhysicalStream } from "@/lib/runtime/driver";
import { discoverTopology } from "./discover";

export const copyMethod = z.enum(["physical", "logical"], {
  error: "Copy method must be physical (mariadb-backup) or logical (mariadb-dump)",
});
export type CopyMethod = z.infer<typeof copyMethod>;

const physicalOf = (env: EnvironmentWithNodes): PhysicalCopier | undefined => driverFor(env.runtime).physical;

/**
 * The method a seed uses: what the user asked for, else physical where every end supports it. Asking for a
 * physical copy that cannot be made is a 409 with the reason, before anything is created.
 */
export function resolveCopyMethod(
  requested: CopyMethod | undefined,
  ends: EnvironmentWithNodes[],
): { method: CopyMethod; why: string } {
  const blocked = ends.find((e) => !physicalOf(e));
  if (requested === "logical") return { method: "logical", why: "logical copy (mariadb-dump), as asked" };
  if (!blocked) return { method: "physical", why: "physical copy (mariadb-backup)" };
  const reason = `${blocked.name} runs on the ${blocked.runtime} runtime, where Mariner copies data logically only`;
  if (requested === "physical") throw new ServiceError(409, "physical_unavailable", `No physical copy: ${reason}`);
  return { method: "logical", why: `logical copy (mariadb-dump): ${reason}` };
}

/** Where a copy is taken from; a slave's copy continues from its position in the master's stream. */
export interface Donor {
  env: EnvironmentWithNodes;
  isSlave: boolean;
}

/** A healthy single-source slave of `master` with no filters (its copy is the master's data), else the master. */
export async function chooseDonor(actor: Actor, master: EnvironmentWithNodes, exclude: string[] = []): Promise<Donor> {
  const topology = await discoverTopology(actor);
  const slave = topology.edges.find(
    (e) =>
      e.from === master.name &&
      e.connection === "" &&
      e.health.state === "running" &&
      (e.secondsBehind ?? Infinity) < 30 &&
      Object.keys(e.filters).length === 0 &&
      !exclude.includes(e.to) &&
      (topology.nodes.find((n) => n.name === e.to)?.masters.length ?? 0) === 1,
  )?.to;
  if (slave) {
    const env = await getEnvironment(actor, slave);
    if (physicalOf(env)) return { env, isSlave: true };
  }
  return { env: master, isSlave: false };
}

/**
 * Streams one physical backup of `donor` into every target at once (the slowest sets the pace), starts them on
 * it and, when `position` is set, records where each continues in the master's stream. Returns the bytes streamed.
 * Fails with the tools' own lines; each target is left with its previous data (the caller discards new ones).
 */
export async function copyPhysically(
  donor: Donor,
  targets: EnvironmentWithNodes[],
  position: boolean,
): Promise<{ bytes: number; gtid: string | null }> {
  const donorRef = nodeRefOf(primaryNode(donor.env));
  // One target: the backup writes into that target's unpacker itself, started only once it is ready (nothing
  // passes through the console). Several: one stream shared through the console; the slowest sets the pace.
  const backups: PhysicalStream[] = [];
  const start = (into?: Writable) => {
    const b = physicalOf(donor.env)!.backup(donorRef, into);
    b.done.catch(() => undefined);
    backups.push(b);
    return b;
  };
  const shared = targets.length > 1 ? start() : null;
  const feeds = targets.map(() => new PassThrough({ highWaterMark: 4 * 1024 * 1024 }));
  if (shared) for (const feed of feeds) shared.stream!.pipe(feed);
  const cancel = () => backups.forEach((b) => b.cancel());
  let bytes = 0;
  // Every target settles before anything is undone: a failed one stops the stream, so the others end too.
  const settled = await Promise.allSettled(
    targets.map(async (target, i) => {
      const node = primaryNode(target);
      try {
        // Under the environment's lock: the monitor must not restart a server whose data is being replaced.
        const result = await withLock(target.id, () =>
          shared
            ? physicalOf(target)!.receive(nodeRefOf(node), feeds[i], shared.done)
            : physicalOf(target)!.receive(nodeRefOf(node), (stdin) => start(stdin).done),
        );
        bytes = Math.max(bytes, result.bytes);
        await db().node.update({ where: { id: node.id }, data: { pid: result.node.pid, startedAt: new Date() } });
        return result.positions;
      } catch (e) {
        cancel();
        throw e;
      }
    }),
  );
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) {
    // A target whose copy failed has its previous data back, stopped: running again as it was (a re-seeded slave).
    for (const target of targets) {
      const node = primaryNode(target);
      const back = await withLock(target.id, () => driverFor(target.runtime).start(nodeRefOf(node))).catch(() => null);
      if (back) await db().node.update({ where: { id: node.id }, data: { pid: back.pid, startedAt: new Date() } });
    }
    const e = failed.reason as Error;
    if (e instanceof RuntimeError)
      throw new ServiceError(
        500,
        "physical_copy_failed",
        `Physical copy of ${donor.env.name} failed: ${e.message}`,
        e.serverLines,
      );
    throw e;
  }
  const positions = (settled[0] as PromiseFulfilledResult<BackupPositions>).value;
  const recorded = donor.isSlave ? positions.slaveGtid : positions.binlogGtid;
  if (position) {
    if (recorded === null)
      throw new ServiceError(500, "no_position", `The backup of ${donor.env.name} recorded no GTID position`);
    for (const target of targets) await asRoot(target, (c) => setSlavePosition(c, recorded));
  }
  return { bytes, gtid: recorded };
}
