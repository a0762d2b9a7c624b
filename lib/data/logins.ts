import type { Actor } from "@/lib/auth/actor";
import { findEnvironment } from "@/lib/environments/service";
import { listAccounts } from "./accounts";

/** Least privilege that still lets the snippets write: read-write first, read-only last among the levels. */
const RANK: Record<string, number> = { "read-write": 0, ddl: 1, all: 2, "read-only": 3, custom: 4 };

/**
 * The application accounts an application could connect as, least-privileged first, each with the database it
 * reaches (its first grant). Root is never in the list; a server that cannot be asked gives none.
 */
export async function applicationLogins(actor: Actor, masterName: string) {
  const env = await findEnvironment(actor, masterName);
  if (!env || env.status !== "running") return [];
  const { items } = await listAccounts(actor, masterName).catch(() => ({ items: [] }));
  return items
    .filter((a) => a.kind === "application" && !a.locked && a.databases.length > 0)
    .map((a) => {
      const best = [...a.databases].sort((x, y) => RANK[x.level] - RANK[y.level])[0];
      return {
        key: `${a.user}@${a.host}`,
        user: a.user,
        database: best.database,
        label: `${a.user}@${a.host} (${best.level} on ${best.database}${a.requireSsl ? ", TLS required" : ""})`,
        rank: RANK[best.level] ?? 9,
      };
    })
    .sort((a, b) => a.rank - b.rank || a.key.localeCompare(b.key));
}
