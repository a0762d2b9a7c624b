import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { APP, durableTopology, failoversOf, killUnderLoad, rootOf, type Run } from "../support/failover-harness";
import { waitFor } from "../support/wait";
import { startWriteLoad } from "../support/write-load";

// Zero acknowledged writes lost on failover: 8 clients write through the writer endpoint, the master is SIGKILLed
// mid-load, the automatic failover (default policy) runs, and every acknowledged id must be on the new master.

const dataDir = useTempDataDir("durability");
process.env.MARINER_RESTART_POLICY = "never";
// Several failovers of one owner in a row: anti-flapping has its own test (topology.test.ts).
process.env.MARINER_ANTI_FLAP_SECONDS = "0";
const svc = await import("../../lib/environments/service");
const topo = await import("../../lib/topology");
const { db } = await import("../../lib/db/client");
const { startMonitor, stopMonitor, reconcile } = await import("../../lib/monitoring/watch");
const { observeSemiSync } = await import("../../lib/monitoring/semisync");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
import type { Actor } from "../../lib/auth/actor";

let actor: Actor;
const root = (name: string) => rootOf(actor, name);
const topology = (name: string, semiSync: boolean) => durableTopology(actor, name, semiSync);
const failovers = failoversOf;

before(async () => {
  actor = await adminActor();
  startMonitor();
});

after(async () => {
  stopMonitor();
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("semi-sync: the master is shown active, the slaves acknowledge, my.cnf keeps it", async () => {
  await topology("semi", true);
  await observeSemiSync();
  const view = await topo.getSemiSync(actor, "semi");
  assert.equal(view.now?.state, "active", JSON.stringify(view));
  assert.equal(view.now?.clients, 2);
  assert.equal(view.observed, "active");
  const { getConfig } = await import("../../lib/environments/config");
  assert.match((await getConfig(actor, "semi")).content, /rpl-semi-sync-master-enabled\s*=\s*ON/);
  assert.match((await getConfig(actor, "semi-slave-1")).content, /rpl-semi-sync-slave-enabled\s*=\s*ON/);
  // A commit waits for a slave: the master counts it as acknowledged.
  const c = await root("semi");
  await c.query("INSERT INTO app.acked VALUES (1)");
  const [[row]] = (await c.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_yes_tx'")) as unknown as [
    { Value: string }[],
  ];
  await c.end();
  assert.ok(Number(row.Value) >= 1, `acknowledged commits: ${row.Value}`);
});

test("semi-sync is carried over by Add slave and a switchover, live and in each my.cnf; the alert rule follows", async () => {
  const { getConfig } = await import("../../lib/environments/config");
  const cnf = async (name: string) => (await getConfig(actor, name)).content;
  const MASTER_SIDE = /rpl-semi-sync-master-enabled\s*=\s*ON/;
  const SLAVE_SIDE = /rpl-semi-sync-slave-enabled\s*=\s*ON/;
  await (
    await topo.beginAddSlaves(actor, "semi", { count: 1, namePrefix: "semi-extra" })
  ).done;
  assert.match(await cnf("semi-extra-1"), SLAVE_SIDE);
  await waitFor(async () => (await topo.getSemiSync(actor, "semi")).now?.clients === 3, {
    what: "three semi-sync slaves acknowledging semi",
  });

  await (
    await topo.beginSwitchover(actor, "semi", { candidate: "semi-slave-1", demoteOldMaster: true })
  ).done;
  // The new master waits for its slaves: the other two and the demoted old master.
  const { value: promoted } = await waitFor(
    async () => {
      const v = await topo.getSemiSync(actor, "semi-slave-1");
      return v.now?.state === "active" && v.now.clients === 3 ? v : null;
    },
    { what: "semi-slave-1 active with three semi-sync slaves" },
  );
  assert.equal(promoted.enabled, true);
  assert.match(await cnf("semi-slave-1"), MASTER_SIDE);
  assert.doesNotMatch(await cnf("semi-slave-1"), SLAVE_SIDE);
  const demoted = await topo.getSemiSync(actor, "semi");
  assert.equal(demoted.enabled, false);
  assert.equal(demoted.now?.slaveActive, true, "the old master acknowledges as a slave");
  assert.match(await cnf("semi"), SLAVE_SIDE);
  assert.doesNotMatch(await cnf("semi"), MASTER_SIDE);
  const rules = await db().alertRule.findMany({ where: { kind: "semi-sync" }, select: { environmentId: true } });
  const ids = await Promise.all(["semi", "semi-slave-1"].map(async (n) => (await svc.getEnvironment(actor, n)).id));
  assert.ok(rules.some((r) => r.environmentId === ids[1]) && !rules.some((r) => r.environmentId === ids[0]));
});

test("false failovers: a master frozen for 1 s, a console restart and a CPU storm change nothing", async () => {
  const writer = await topology("calm", true);
  const load = startWriteLoad({ ...writer, ...APP });
  try {
    await waitFor(() => load.acked.length >= 200, { what: "writes flowing" });
    const pid = (await svc.getEnvironment(actor, "calm")).nodes[0].pid!;
    process.kill(pid, "SIGSTOP");
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(pid, "SIGCONT");
    const afterFreeze = load.acked.length;
    await waitFor(() => load.acked.length >= afterFreeze + 200, { what: "writes after the freeze" });

    stopMonitor();
    await reconcile();
    startMonitor();

    const storm = await Promise.all(Array.from({ length: 4 }, () => root("calm")));
    const burning = storm.map((c) => c.query("SELECT BENCHMARK(30000000, SHA2('mariner', 256))").catch(() => null));
    const duringStorm = load.acked.length;
    await waitFor(() => load.acked.length >= duringStorm + 100, { what: "writes during the CPU storm" });
    await Promise.all(burning);
    await Promise.all(storm.map((c) => c.end()));
    // The monitor has looked many times (every 200 ms) across all of it.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await failovers("calm"), [], "no failover ran");
    assert.equal((await svc.getEnvironment(actor, "calm")).status, "running");
  } finally {
    await load.stop();
  }
});

test("write-loss harness: 8 clients, master SIGKILLed mid-load — semi-sync loses nothing, 3 times", async () => {
  const runs: Run[] = [];
  for (let i = 1; i <= 3; i++) {
    const name = `ack${i}`;
    const writer = await topology(name, true);
    const run = await killUnderLoad(actor, name, startWriteLoad({ ...writer, ...APP }));
    runs.push(run);
    assert.deepEqual(run.lost, [], `${name}: acknowledged writes missing on the new master`);
    // The new master took the master side and the other slave, repointed, acknowledges to it.
    await waitFor(async () => (await topo.getSemiSync(actor, run.newMaster)).now?.state === "active", {
      what: `${run.newMaster} semi-sync active after the failover`,
    });
    assert.ok(
      run.steps.some((s) => /all acknowledged writes are on/.test(s)),
      `the pre-flight said where the acknowledged writes are:\n${run.steps.join("\n")}`,
    );
  }
  console.log(
    `semi-sync × 3: acknowledged ${runs.map((r) => r.acked).join(", ")}; lost ${runs.map((r) => r.lost.length).join(", ")}; ` +
      `write unavailability ${runs.map((r) => r.unavailableMs).join(", ")} ms`,
  );
});

test("write-loss harness without semi-sync: what is lost is counted and said", async () => {
  const writer = await topology("async", false);
  const run = await killUnderLoad(actor, "async", startWriteLoad({ ...writer, ...APP }));
  const said = run.steps.find((s) => /^Asynchronous replication/.test(s));
  assert.ok(said, run.steps.join("\n"));
  // Every acknowledged write that is missing must have been on the dead master's disk: the count said covers it.
  const reported = Number(/(\d+) transactions? on \S+'s disk are not on \S+ and are lost/.exec(said!)?.[1] ?? 0);
  assert.ok(run.lost.length <= reported, `lost ${run.lost.length}, reported ${reported}: ${said}`);
  console.log(
    `asynchronous × 1: acknowledged ${run.acked}, lost ${run.lost.length} (reported ${reported}), write unavailability ${run.unavailableMs} ms`,
  );
});
