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
  const reported = Number(/(\d+) transactions? on .* reached no slave/.exec(said!)?.[1] ?? 0);
  assert.ok(run.lost.length <= reported, `lost ${run.lost.length}, reported ${reported}: ${said}`);
  console.log(
    `asynchronous × 1: acknowledged ${run.acked}, lost ${run.lost.length} (reported ${reported}), write unavailability ${run.unavailableMs} ms`,
  );
});
