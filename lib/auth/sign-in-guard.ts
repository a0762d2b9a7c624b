import { ServiceError } from "@/lib/errors";
import { UNKNOWN_ADDRESS } from "./client-address";
import { BackoffThrottle, RecentSet, type BackoffPolicy } from "./throttle";

/**
 * Who may try a password (or a Bearer token) now. Failures are counted under three keys, each with its own
 * growing delay, so that hammering one account from one address slows that address down without locking
 * the account's owner out:
 * - account + address: guessing one account from one place (5 free failures, then 2 s, 4 s, … up to 15 min);
 * - address: spraying many accounts from one place (20 free, same growth);
 * - account: guessing one account from many places (20 free, up to 1 min) — not applied to addresses the
 *   account has signed in from recently, so the owner at a known place is never held back by strangers.
 * An attempt counts as a failure from the start (parallel guesses cannot all slip through before the first
 * result) and is taken back when it succeeds.
 */

const HOUR = 3600;
const policy = (freeFailures: number, baseDelaySec: number, maxDelaySec: number): BackoffPolicy => ({
  freeFailures,
  baseDelaySec,
  maxDelaySec,
  forgetAfterSec: HOUR,
});
export const PAIR_POLICY = policy(5, 2, 15 * 60);
export const ADDRESS_POLICY = policy(20, 2, 15 * 60);
export const ACCOUNT_POLICY = policy(20, 1, 60);
export const TOKEN_POLICY = policy(10, 2, 15 * 60);
const KNOWN_ADDRESS_TTL_MS = 30 * 24 * HOUR * 1000;
const CAPACITY = 10_000;

/** Either the attempt may go ahead (and is counted as a failure until `succeeded`), or it must wait. */
export type Admission = { ok: true; succeeded(): void } | { ok: false; retryAfterSec: number };

const admitted = (succeeded: () => void): Admission => ({ ok: true, succeeded });
const mustWait = (waitMs: number): Admission => ({ ok: false, retryAfterSec: Math.ceil(waitMs / 1000) });

/**
 * The 429 for a refused admission. Thrown by the caller, not by the guard: the guard lives on globalThis and
 * may come from another server bundle, whose ServiceError class would fail the route's `instanceof` check.
 */
export function tooManyFailures(retryAfterSec: number, what: string): ServiceError {
  const message = `Too many failed ${what}; try again in ${retryAfterSec} s`;
  return new ServiceError(429, "rate_limited", message, [], { retryAfterSec });
}

export class SignInGuard {
  readonly pair: BackoffThrottle;
  readonly address: BackoffThrottle;
  readonly account: BackoffThrottle;
  readonly token: BackoffThrottle;
  readonly known: RecentSet;

  constructor(now: () => number = Date.now, capacity = CAPACITY) {
    this.pair = new BackoffThrottle(PAIR_POLICY, capacity, now);
    this.address = new BackoffThrottle(ADDRESS_POLICY, capacity, now);
    this.account = new BackoffThrottle(ACCOUNT_POLICY, capacity, now);
    this.token = new BackoffThrottle(TOKEN_POLICY, capacity, now);
    this.known = new RecentSet(capacity, KNOWN_ADDRESS_TTL_MS, now);
  }

  /** A password attempt for `account` from `address`: refused while it must wait, else counted. */
  admitPassword(account: string, address: string): Admission {
    const pairKey = `${account}\n${address}`;
    // Without a known address everyone shares one: counting per address would let anyone slow down everyone.
    const addressKey = address === UNKNOWN_ADDRESS ? null : address;
    const knownPlace = addressKey !== null && this.known.has(pairKey);
    const wait = Math.max(
      this.pair.waitMs(pairKey),
      addressKey ? this.address.waitMs(addressKey) : 0,
      knownPlace ? 0 : this.account.waitMs(account),
    );
    if (wait > 0) return mustWait(wait);
    this.pair.recordFailure(pairKey);
    if (addressKey) this.address.recordFailure(addressKey);
    this.account.recordFailure(account);
    return admitted(() => {
      this.pair.reset(pairKey);
      // Only this attempt is taken back: signing in to one's own account must not wipe one's guesses at others.
      if (addressKey) this.address.forgiveOne(addressKey);
      this.account.forgiveOne(account);
      if (addressKey) this.known.add(pairKey);
    });
  }

  /** A Bearer token presented from `address`: unknown or revoked tokens slow that address down. */
  admitToken(address: string): Admission {
    // Tokens are 40 random characters: guessing is hopeless anyway, so a shared "unknown" address is not worth slowing.
    if (address === UNKNOWN_ADDRESS) return admitted(() => {});
    const wait = this.token.waitMs(address);
    if (wait > 0) return mustWait(wait);
    this.token.recordFailure(address);
    return admitted(() => this.token.forgiveOne(address));
  }
}

const g = globalThis as unknown as { marinerSignInGuard?: SignInGuard };

/** One guard per process, shared by every route bundle that imports this module. */
export function signInGuard(): SignInGuard {
  return (g.marinerSignInGuard ??= new SignInGuard());
}
