// Re-seed: a slave whose master no longer has the binary logs it needs (1236) is rebuilt from a fresh copy.
import fs from "node:fs";
import type { Actor } from "@/lib/auth/actor";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { dumpAll, loadDump } from "@/lib/mariadb/dump";
import { controlSlave } from "@/lib/mariadb/replication";
import { userDatabases } from "@/lib/mariadb/schemas";
import { beginOperation } from "@/lib/operations";
import { ensureReplicationAccount } from "./account";
import { discoverTopology } from "./discover";
import { chooseDonor, copyPhysically, resolveCopyMethod } from "./physical";
import { describeDonor, megabytes } from "./seed";
import { pointAt, rootLogin, snapshotFile, waitReplicating } from "./steps";

/**
 * Physical where the runtime allows it: a copy of a healthy sibling (or the master) replaces the slave's data
 * directory — its my.cnf stays, root keeps its own password, other accounts are its master's (as replication
 * would have made them). Logical otherwise: its user databases are replaced by a snapshot loaded outside its
 * binlog; its own accounts stay. Either way its GTID position becomes the copy's and it rejoins.
 */
export async function beginReseed(actor: Actor, name: string) {
  const slave = await getEnvironment(actor, name);
  const node = (await discoverTopology(actor)).nodes.find((n) => n.name === slave.name);
  const masterName = node?.master;
  if (!masterName)
    throw new ServiceError(409, "not_a_slave", `${slave.name} does not replicate from one of your environments`);
  // Re-seeding replaces every database with one master's: on a multi-source slave that would wipe the others'.
  if ((node?.masters.length ?? 0) > 1)
    throw new ServiceError(
      409,
      "multi_source",
      `${slave.name} replicates from several masters (${node!.masters.join(", ")}): a re-seed from ${masterName} would replace the other sources' data`,
    );
  const master = await getEnvironment(actor, masterName);
  const copy = resolveCopyMethod(undefined, [master, slave]);
  return beginOperation(
    {
      userId: actor.id,
      action: "topology.reseed",
      environmentId: slave.id,
      target: slave.name,
      params: { from: master.name, method: copy.method },
    },
    (step) =>
      topologyLock(slave.ownerId, async () => {
        if (copy.method === "physical") {
          const donor = await chooseDonor(actor, master, [slave.name]);
          await step(`replacing ${slave.name}'s data with a ${copy.why} of ${describeDonor(donor, master)}`);
          await asRoot(slave, (c) => controlSlave(c, "full-stop"));
          const { bytes, gtid } = await copyPhysically(donor, [slave], true);
          await step(`copied ${megabytes(bytes)}; rejoining after GTID ${gtid}`);
        } else await reseedLogically(master, slave, step);
        const login = await ensureReplicationAccount(master);
        const fresh = await getEnvironment(actor, slave.name);
        await pointAt(fresh, login);
        await waitReplicating(fresh);
        await step("ready");
        return { name: slave.name, from: master.name, method: copy.method };
      }),
  );
}

async function reseedLogically(
  master: Awaited<ReturnType<typeof getEnvironment>>,
  slave: Awaited<ReturnType<typeof getEnvironment>>,
  step: (s: string) => Promise<void>,
) {
  // Snapshot first, into a private file: the slave's databases are dropped only once the copy exists.
  const file = snapshotFile(`reseed-${Date.now()}`);
  try {
    await step(`taking a consistent snapshot of ${master.name}`);
    await dumpAll(rootLogin(master), file, true);
    await step(`replacing ${slave.name}'s databases`);
    await asRoot(slave, async (c) => {
      await controlSlave(c, "full-stop");
      await c.query("SET SESSION sql_log_bin = 0");
      for (const database of await userDatabases(c)) await c.query("DROP DATABASE ??", [database]);
    });
    await loadDump(rootLogin(slave), file);
    await step("rejoining from the snapshot's position");
  } finally {
    fs.rmSync(file, { force: true });
  }
}
