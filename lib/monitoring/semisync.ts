import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { explainSemiSync, semiSyncStatus } from "@/lib/mariadb/semisync";

// What semi-sync is doing on each master that wants it, seen every second: active, or fallen back since when.
// A failover's pre-flight reads the last observation (with the dead master's own log) to say what may be lost.

const g = globalThis as unknown as { marinerUnacked?: Map<string, number> };
/** Commits acknowledged without a slave, per master, at the previous look (a rise between looks is a fallback). */
const unackedAt = (g.marinerUnacked ??= new Map<string, number>());

export async function observeSemiSync(): Promise<void> {
  const masters = await db().environment.findMany({
    where: { semiSync: true, status: "running" },
    include: { nodes: true },
  });
  await Promise.all(
    masters.map(async (env) => {
      const status = await asRoot(env, semiSyncStatus).catch(() => null);
      if (!status) return; // not answering: the liveness checks say so
      const before = unackedAt.get(env.id);
      unackedAt.set(env.id, status.unackedTx);
      const { state, detail } = explainSemiSync(status, before === undefined ? 0 : status.unackedTx - before);
      const observed = state === "off" ? "fallen-back" : state;
      const text = state === "off" ? "semi-sync was switched off on the server itself" : detail;
      if (env.semiSyncState === observed && (observed === "active" || env.semiSyncDetail === text)) return;
      await db().environment.update({
        where: { id: env.id },
        data: {
          semiSyncState: observed,
          semiSyncDetail: text,
          ...(env.semiSyncState === observed ? {} : { semiSyncSince: new Date() }),
        },
      });
    }),
  );
}
