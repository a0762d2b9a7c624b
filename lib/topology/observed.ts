import { db } from "@/lib/db/client";
import type { EnvironmentWithNodes } from "@/lib/environments/service";
import type { ServerFacts } from "./discover";

// What each server looked like at its last look. The monitor reads every server every few seconds; pages showing
// the whole fleet reuse those reads instead of logging into 100 servers per request. Operations read fresh.

interface Look {
  at: number;
  address: string;
  facts: Promise<ServerFacts | null>;
}

const g = globalThis as unknown as { marinerLooks?: Map<string, Look> };
const looks = (g.marinerLooks ??= new Map<string, Look>());
const refreshing = new Set<string>();

const addressOf = (env: EnvironmentWithNodes) => `${env.nodes[0]?.host}:${env.nodes[0]?.port}`;

export interface LookOptions {
  /** Reuse a read at most this old (0: read now). */
  maxAgeMs?: number;
  /** A reused read older than this starts a new one in the background, for the next caller. */
  refreshAfterMs?: number;
}

/**
 * The server's facts, read at most `maxAgeMs` ago. Concurrent callers share one read in flight; a server that
 * moved to another address is read again.
 */
export function lookAt(
  env: EnvironmentWithNodes,
  opts: LookOptions,
  read: (env: EnvironmentWithNodes) => Promise<ServerFacts | null>,
): { facts: Promise<ServerFacts | null>; at: number } {
  const address = addressOf(env);
  const last = looks.get(env.id);
  const now = Date.now();
  const maxAgeMs = opts.maxAgeMs ?? 0;
  if (last && last.address === address && maxAgeMs > 0 && now - last.at <= maxAgeMs) {
    if (opts.refreshAfterMs !== undefined && now - last.at > opts.refreshAfterMs && !refreshing.has(env.id)) {
      refreshing.add(env.id);
      void read(env).then((facts) => {
        refreshing.delete(env.id);
        if (facts && looks.get(env.id) === last) looks.set(env.id, { at: now, address, facts: Promise.resolve(facts) });
      });
    }
    return last;
  }
  const look = { at: now, address, facts: read(env) };
  looks.set(env.id, look);
  // A failed read is not kept: the next caller tries again.
  void look.facts.then((f) => f === null && looks.get(env.id) === look && looks.delete(env.id));
  return look;
}

/** What the last look at each of these servers saw, if it is at most `maxAgeMs` old; never logs in. */
export async function lastLooks(envs: EnvironmentWithNodes[], maxAgeMs: number): Promise<Map<string, ServerFacts>> {
  const now = Date.now();
  const out = new Map<string, ServerFacts>();
  await Promise.all(
    envs.map(async (env) => {
      const look = looks.get(env.id);
      if (!look || look.address !== addressOf(env) || now - look.at > maxAgeMs) return;
      const facts = await look.facts;
      if (facts) out.set(env.id, facts);
    }),
  );
  return out;
}

/** After an operation changed servers, the next look reads them again. */
export function forgetLooks(): void {
  looks.clear();
}

/**
 * Keeps each environment's `observedMaster` (what lists group clusters by) in step with what was just seen; written
 * only when it changed. Stopped or unreachable servers keep the last one.
 */
export async function recordObservedMasters(seen: { env: EnvironmentWithNodes; master: string | null }[]) {
  const changed = seen.filter(({ env, master }) => (env.observedMaster ?? null) !== master);
  for (const { env, master } of changed)
    await db()
      .environment.updateMany({ where: { id: env.id }, data: { observedMaster: master } })
      .catch(() => undefined);
}
