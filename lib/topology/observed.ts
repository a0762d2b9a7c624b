import { db } from "@/lib/db/client";
import type { EnvironmentWithNodes } from "@/lib/environments/service";
import type { ServerFacts } from "./discover";

// What each server looked like at its last look. The monitor reads every server every few seconds; pages showing
// the whole fleet reuse those reads instead of logging into 100 servers per request. Operations read fresh.

interface Look {
  at: number;
  ownerId: string;
  address: string;
  facts: Promise<ServerFacts | null>;
  /** Once the read is done (null until then, or when it failed). */
  settled: ServerFacts | null;
  /** An operation changed this owner's servers since: the next reader reads again (the old facts stay shown). */
  stale: boolean;
}

const g = globalThis as unknown as { marinerLooks?: Map<string, Look>; marinerLooksRefreshing?: Set<string> };
const looks = (g.marinerLooks ??= new Map<string, Look>());
const refreshing = (g.marinerLooksRefreshing ??= new Set<string>());

/**
 * Servers read at once, at most: each read is a connection with its buffers, and 100 at a time (every 2 s for
 * alerts, plus pages) made the console's bounded heap overflow under load.
 */
const MAX_READS = 16;
let reading = 0;
const waiting: (() => void)[] = [];

async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  if (reading < MAX_READS) reading++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line (or is given back).
    const next = waiting.shift();
    if (next) next();
    else reading--;
  }
}

const addressOf = (env: EnvironmentWithNodes) => `${env.nodes[0]?.host}:${env.nodes[0]?.port}`;

export interface LookOptions {
  /** Reuse a read at most this old (0: read now). */
  maxAgeMs?: number;
  /** A reused read older than this starts a new one in the background, for the next caller. */
  refreshAfterMs?: number;
}

function start(
  env: EnvironmentWithNodes,
  read: (env: EnvironmentWithNodes) => Promise<ServerFacts | null>,
  previous: Look | undefined,
): Look {
  const look: Look = {
    at: Date.now(),
    ownerId: env.ownerId,
    address: addressOf(env),
    facts: inSlot(() => read(env)),
    // Lists keep showing the previous facts while the new read runs.
    settled: previous?.address === addressOf(env) ? previous.settled : null,
    stale: false,
  };
  void look.facts.then((facts) => {
    look.settled = facts;
    // A failed read is not kept: the next caller tries again.
    if (facts === null && looks.get(env.id) === look) looks.delete(env.id);
  });
  return look;
}

/**
 * The server's facts, read at most `maxAgeMs` ago. Concurrent callers share one read in flight; a server that
 * moved to another address, or whose owner ran an operation since, is read again.
 */
export function lookAt(
  env: EnvironmentWithNodes,
  opts: LookOptions,
  read: (env: EnvironmentWithNodes) => Promise<ServerFacts | null>,
): { facts: Promise<ServerFacts | null>; at: number } {
  const last = looks.get(env.id);
  const age = last ? Date.now() - last.at : Infinity;
  const maxAgeMs = opts.maxAgeMs ?? 0;
  if (last && !last.stale && last.address === addressOf(env) && maxAgeMs > 0 && age <= maxAgeMs) {
    if (opts.refreshAfterMs !== undefined && age > opts.refreshAfterMs && last.settled && !refreshing.has(env.id)) {
      refreshing.add(env.id);
      const next = start(env, read, last);
      void next.facts.then((facts) => {
        refreshing.delete(env.id);
        if (facts && looks.get(env.id) === last) looks.set(env.id, next);
      });
    }
    return last;
  }
  const look = start(env, read, last);
  looks.set(env.id, look);
  return look;
}

/** What the last finished look at each of these servers saw, if it is at most `maxAgeMs` old; never logs in. */
export function lastLooks(envs: EnvironmentWithNodes[], maxAgeMs: number): Map<string, ServerFacts> {
  const now = Date.now();
  const out = new Map<string, ServerFacts>();
  for (const env of envs) {
    const look = looks.get(env.id);
    if (look?.settled && look.address === addressOf(env) && now - look.at <= maxAgeMs) out.set(env.id, look.settled);
  }
  return out;
}

/** After an operation changed an owner's servers: their next look reads them again. */
export function forgetLooks(ownerId: string): void {
  for (const look of looks.values()) if (look.ownerId === ownerId) look.stale = true;
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
