// Durability figures: the write-loss harness (8 clients through the writer endpoint, master SIGKILLed mid-load,
// automatic failover with the default policy) with and without semi-sync, and what semi-sync costs in writes/s on
// the same pair in the same run.
import type { Actor } from "../lib/auth/actor";
import { APP, durableTopology, killUnderLoad, type Run } from "../test/support/failover-harness";
import { startWriteLoad } from "../test/support/write-load";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Row = { figure: string; value: number; baseline: number | null; unit: string; goal: string };

async function throughput(writer: { host: string; port: number }, ms: number) {
  const load = startWriteLoad({ ...writer, ...APP });
  await sleep(ms);
  await load.stop();
  return (load.acked.length / ms) * 1000;
}

async function removeTopology(actor: Actor, name: string) {
  const { deleteEndpoints } = await import("../lib/proxy/endpoints");
  const { deleteEnvironment } = await import("../lib/environments/service");
  await deleteEndpoints(actor, `${name}-rw`);
  for (const env of [name, `${name}-slave-1`, `${name}-slave-2`]) await deleteEnvironment(actor, env);
}

export async function durabilityRows(actor: Actor, semiRuns = 20, asyncRuns = 5): Promise<Row[]> {
  process.env.MARINER_ANTI_FLAP_SECONDS = "0"; // one failover after another, on purpose
  const { startMonitor, stopMonitor } = await import("../lib/monitoring/watch");
  const topo = await import("../lib/topology");
  startMonitor();
  try {
    // The cost of durability: one pair, 5 s asynchronous then 5 s semi-sync, same clients.
    const pair = await durableTopology(actor, "cost", false);
    const asyncRate = await throughput(pair, 5000);
    await topo.setSemiSync(actor, "cost", { enabled: true });
    const semiRate = await throughput(pair, 5000);
    await removeTopology(actor, "cost");

    const runs = async (semi: boolean, n: number) => {
      const out: Run[] = [];
      for (let i = 0; i < n; i++) {
        const name = `${semi ? "ss" : "as"}${i}`;
        const writer = await durableTopology(actor, name, semi);
        out.push(await killUnderLoad(actor, name, startWriteLoad({ ...writer, ...APP })));
        await removeTopology(actor, name); // dozens of idle servers on 2 cores would slow every later run
      }
      return out;
    };
    const semi = await runs(true, semiRuns);
    const asy = await runs(false, asyncRuns);
    const rowsOf = (label: string, rs: Run[]): Row[] => [
      {
        figure: `write-loss harness, ${label} × ${rs.length}: acknowledged writes lost (of ${rs.reduce((a, r) => a + r.acked, 0)} acknowledged; per run ${rs.map((r) => r.lost.length).join(",")})`,
        value: rs.reduce((a, r) => a + r.lost.length, 0),
        baseline: null,
        unit: "writes",
        goal: label === "semi-sync" ? "0" : "—",
      },
      {
        figure: `write unavailability (SIGKILL → first acknowledged write through the writer endpoint), ${label}, median`,
        value: median(rs.map((r) => r.unavailableMs)),
        baseline: null,
        unit: "ms",
        goal: "≤ 2000 ms",
      },
      {
        figure: `write unavailability, ${label}, max`,
        value: Math.max(...rs.map((r) => r.unavailableMs)),
        baseline: null,
        unit: "ms",
        goal: "≤ 2000 ms",
      },
    ];
    return [
      {
        figure: "writes/s of 8 clients through the writer endpoint, semi-sync (vs asynchronous, same pair)",
        value: Math.round(semiRate),
        baseline: Math.round(asyncRate),
        unit: "writes/s",
        goal: "—",
      },
      ...rowsOf("semi-sync", semi),
      ...rowsOf("asynchronous", asy),
    ];
  } finally {
    stopMonitor();
  }
}
