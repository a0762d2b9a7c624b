import { actorById } from "@/lib/auth/users";
import { ensureServerTls } from "@/lib/environments/tls";
import { runDueBackups, runDueVerifications } from "@/lib/backups/service";
import { db } from "@/lib/db/client";
import { measureCanary } from "@/lib/environments/replication";
import { getEnvironment, listEnvironments } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { sampleDatabaseSizes } from "@/lib/data/databases";
import { driverFor } from "@/lib/runtime";
import { discoverTopology } from "@/lib/topology/discover";
import { evaluateAlerts } from "./alerts";

const KEEP_MS = 24 * 3600_000;
const g = globalThis as unknown as { marinerSampler?: NodeJS.Timeout };

/**
 * One sampling pass over every owner's topology: alerts evaluated, and (when `lag`) one lag sample per slave,
 * with canary milliseconds when `canary` (a row written on each master every minute, like pt-heartbeat).
 */
export async function sampleOnce(opts: { lag: boolean; canary: boolean; onlyOwnersWithRules?: boolean }) {
  const owners = [
    ...new Set((await db().environment.findMany({ select: { id: true, ownerId: true } })).map((e) => e.ownerId)),
  ];
  const withRules = new Set(
    (await db().alertRule.findMany({ select: { environmentId: true } })).map((r) => r.environmentId),
  );
  await Promise.all(
    owners.map(async (ownerId) => {
      const actor = await actorById(ownerId);
      if (!actor) return;
      const envs = (await listEnvironments(actor)).filter((e) => e.ownerId === ownerId);
      if (opts.onlyOwnersWithRules && !envs.some((e) => withRules.has(e.id))) return;
      const topology = await discoverTopology(actor, envs);
      await evaluateAlerts(ownerId, topology);
      if (!opts.lag) return;
      const byName = new Map(envs.map((e) => [e.name, e]));
      const canaryMs = new Map<string, number | null>();
      if (opts.canary) {
        for (const master of new Set(topology.edges.map((e) => e.from))) {
          const slaves = topology.edges
            .filter((e) => e.from === master && e.health.state === "running")
            .map((e) => byName.get(e.to)!)
            .filter(Boolean);
          const m = byName.get(master);
          if (!m || !slaves.length || m.status !== "running") continue;
          const ms = await measureCanary(m, slaves, 5000).catch(() => slaves.map(() => null));
          slaves.forEach((s, i) => canaryMs.set(s.name, ms[i]));
        }
      }
      // One sample per slave: a multi-source slave is as far behind as its slowest source.
      const worst = new Map<string, number | null>();
      for (const e of topology.edges) {
        if (!byName.has(e.to)) continue;
        const known = [worst.get(e.to), e.secondsBehind].filter((v): v is number => typeof v === "number");
        worst.set(e.to, known.length ? Math.max(...known) : null);
      }
      const samples = [...worst].map(([name, secondsBehind]) => ({
        environmentId: byName.get(name)!.id,
        secondsBehind,
        canaryMs: canaryMs.get(name) ?? null,
      }));
      if (samples.length) await db().lagSample.createMany({ data: samples });
    }),
  );
  await db().lagSample.deleteMany({ where: { at: { lt: new Date(Date.now() - KEEP_MS) } } });
}

/** Every 2 s alerts (owners with rules), every 10 s lag samples, every minute canaries, every 30 s due backups and test restores,
 * every 5 min database sizes. */
export function startSampler(intervalMs = 2000) {
  if (g.marinerSampler) return;
  let tick = 0;
  let busy = false;
  g.marinerSampler = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      tick++;
      const lag = tick % 5 === 0;
      await sampleOnce({ lag, canary: tick % 30 === 0, onlyOwnersWithRules: !lag });
      if (tick % 15 === 0) await runDueBackups(new Date(), actorById);
      // Test restores run in the background: one can take a while and must not stall alerts.
      if (tick % 15 === 0)
        void runDueVerifications(new Date(), actorById).catch((e) =>
          console.error("Mariner test restore:", (e as Error).message),
        );
      if (tick % 1800 === 1) await rotateExpiringCertificates();
      if (tick % 150 === 3) await sampleAllDatabaseSizes();
    } catch (e) {
      console.error("Mariner sampler:", (e as Error).message);
    } finally {
      busy = false;
    }
  }, intervalMs);
  g.marinerSampler.unref();
}

/** Hourly: server certificates within 30 days of expiry are reissued (FLUSH SSL, no restart). */
export async function rotateExpiringCertificates() {
  const nodes = await db().node.findMany({ include: { environment: true } });
  for (const node of nodes) {
    if (node.environment.status !== "running") continue;
    const files = driverFor(node.environment.runtime).nodeFiles(nodeRefOf(node));
    if ((await files.read("tls/server.pem").catch(() => null)) === null) continue;
    const actor = await actorById(node.environment.ownerId);
    const env = actor && (await getEnvironment(actor, node.environment.name).catch(() => null));
    if (actor && env)
      await ensureServerTls(actor, env).catch((e) =>
        console.error(`Mariner: certificate rotation for ${env.name}: ${(e as Error).message}`),
      );
  }
}

/** Every 5 minutes: each running server's database sizes, for the Databases tab's size over time. */
async function sampleAllDatabaseSizes() {
  const envs = await db().environment.findMany({ where: { status: "running" }, include: { nodes: true } });
  for (const env of envs) await sampleDatabaseSizes(env).catch(() => undefined);
}

export function stopSampler() {
  if (g.marinerSampler) clearInterval(g.marinerSampler);
  g.marinerSampler = undefined;
}

/** Lag history for charts: raw for the last hour, 5-minute averages before that (24 h). */
export async function lagHistory(environmentId: string, hours = 24) {
  const from = new Date(Date.now() - hours * 3600_000);
  const rows = await db().lagSample.findMany({ where: { environmentId, at: { gte: from } }, orderBy: { at: "asc" } });
  const recent = Date.now() - 3600_000;
  const buckets = new Map<number, { lag: number[]; canary: number[] }>();
  const points: { t: number; lag: number | null; canary: number | null }[] = [];
  for (const r of rows) {
    const t = r.at.getTime();
    if (t >= recent) {
      points.push({ t, lag: r.secondsBehind, canary: r.canaryMs });
      continue;
    }
    const key = Math.floor(t / 300_000) * 300_000;
    const b = buckets.get(key) ?? { lag: [], canary: [] };
    if (r.secondsBehind !== null) b.lag.push(r.secondsBehind);
    if (r.canaryMs !== null) b.canary.push(r.canaryMs);
    buckets.set(key, b);
  }
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const older = [...buckets.entries()].map(([t, b]) => ({ t, lag: avg(b.lag), canary: avg(b.canary) }));
  return [...older, ...points];
}
