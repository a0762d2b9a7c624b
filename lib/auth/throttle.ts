/**
 * Failure counting with growing delays: after `freeFailures` failures under a key, the next attempt must wait
 * `baseDelaySec * 2^(failures - freeFailures)` seconds after the last failure, capped at `maxDelaySec`. A key
 * is forgotten `forgetAfterSec` after its last failure (or once its delay has passed, if that is later).
 * At most `capacity` keys are kept: the least recently used goes first, so memory stays bounded whatever
 * an attacker sends. Pure: the clock is injected.
 */

export interface BackoffPolicy {
  freeFailures: number;
  baseDelaySec: number;
  maxDelaySec: number;
  forgetAfterSec: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
}

export class BackoffThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly policy: BackoffPolicy,
    readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  failures(key: string): number {
    return this.live(key)?.failures ?? 0;
  }

  /** The delay that `failures` failures earn, in ms. */
  delayMs(failures: number): number {
    const { freeFailures, baseDelaySec, maxDelaySec } = this.policy;
    if (failures < freeFailures) return 0;
    return Math.min(baseDelaySec * 2 ** (failures - freeFailures), maxDelaySec) * 1000;
  }

  /** How long `key` must still wait before its next attempt, in ms (0: it may try now). */
  waitMs(key: string): number {
    const e = this.live(key);
    if (!e) return 0;
    return Math.max(0, e.lastFailureAt + this.delayMs(e.failures) - this.now());
  }

  recordFailure(key: string): void {
    const e = this.live(key);
    this.touch(key, { failures: (e?.failures ?? 0) + 1, lastFailureAt: this.now() });
  }

  /** Takes back one failure (an attempt counted before its outcome was known turned out fine). */
  forgiveOne(key: string): void {
    const e = this.live(key);
    if (!e) return;
    if (e.failures <= 1) this.entries.delete(key);
    else e.failures -= 1;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const quietFor = this.now() - e.lastFailureAt;
    if (quietFor >= Math.max(this.policy.forgetAfterSec * 1000, this.delayMs(e.failures))) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private touch(key: string, e: Entry) {
    // Re-inserting moves the key to the end of the Map's order: the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** A bounded set of recent keys (LRU), e.g. the addresses an account has signed in from. */
export class RecentSet {
  private readonly seen = new Map<string, number>();

  constructor(
    readonly capacity: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, this.now());
    while (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }

  has(key: string): boolean {
    const at = this.seen.get(key);
    if (at === undefined) return false;
    if (this.now() - at > this.ttlMs) {
      this.seen.delete(key);
      return false;
    }
    return true;
  }
}
