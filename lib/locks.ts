const g = globalThis as unknown as { marinerLocks?: Map<string, Promise<unknown>> };
const locks = (g.marinerLocks ??= new Map());

/** Serializes work per key (an environment): no interleaved restarts, no lost updates. */
export async function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

export const isLocked = (key: string) => locks.has(key);

/** Topology changes of one owner never interleave (a move during a failover would be chaos). */
export const topologyLock = <T>(ownerId: string, work: () => Promise<T>) => withLock(`topology:${ownerId}`, work);
