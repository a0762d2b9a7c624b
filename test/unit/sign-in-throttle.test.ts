import assert from "node:assert/strict";
import { test } from "node:test";
import { addressKey, clientAddress, UNKNOWN_ADDRESS } from "../../lib/auth/client-address";
import { SignInGuard, tooManyFailures } from "../../lib/auth/sign-in-guard";
import { BackoffThrottle, RecentSet } from "../../lib/auth/throttle";
import { ServiceError } from "../../lib/errors";

/** A clock the test moves by hand. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const ADMIN = "admin@mariner.test";
const ATTACKER = "203.0.113.9";
const ADMIN_PLACE = "198.51.100.7";

/** Tries a password attempt; "wrong" stays a failure, "right" succeeds. Returns "ok" or the wait in s. */
function attempt(guard: SignInGuard, account: string, address: string, right = false): "ok" | number {
  const a = guard.admitPassword(account, address);
  if (!a.ok) return a.retryAfterSec;
  if (right) a.succeeded();
  return "ok";
}

test("delays grow 2, 4, 8 … s after the free failures, are capped, and are forgotten after quiet time", () => {
  const c = clock();
  const t = new BackoffThrottle({ freeFailures: 3, baseDelaySec: 2, maxDelaySec: 60, forgetAfterSec: 600 }, 100, c.now);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 10].map((n) => t.delayMs(n) / 1000),
    [0, 0, 0, 2, 4, 8, 16, 32, 60],
  );
  for (let i = 0; i < 3; i++) t.recordFailure("k");
  assert.equal(t.waitMs("k"), 2000);
  c.advance(1500);
  assert.equal(t.waitMs("k"), 500);
  c.advance(500);
  assert.equal(t.waitMs("k"), 0);
  t.recordFailure("k");
  assert.equal(t.waitMs("k"), 4000);
  for (let i = 0; i < 20; i++) t.recordFailure("k");
  assert.equal(t.waitMs("k"), 60_000, "capped");
  c.advance(600_000);
  assert.equal(t.failures("k"), 0, "forgotten after the quiet period");
  assert.equal(t.size, 0);
});

test("memory is bounded: the least recently failed key goes first", () => {
  const t = new BackoffThrottle({ freeFailures: 1, baseDelaySec: 1, maxDelaySec: 10, forgetAfterSec: 60 }, 1000);
  for (let i = 0; i < 50_000; i++) t.recordFailure(`k${i}`);
  assert.equal(t.size, 1000);
  assert.equal(t.failures("k0"), 0);
  assert.equal(t.failures("k49999"), 1);
  const s = new RecentSet(10, 60_000);
  for (let i = 0; i < 100; i++) s.add(`a${i}`);
  assert.ok(!s.has("a0") && s.has("a99"));
  const guard = new SignInGuard(Date.now, 500);
  for (let i = 0; i < 5000; i++) attempt(guard, `u${i}@x.test`, `192.0.2.${i % 250}`);
  assert.ok(guard.pair.size <= 500 && guard.account.size <= 500 && guard.address.size <= 500);
});

test("someone hammering the admin account from one address slows only that address: the admin signs in elsewhere", () => {
  const c = clock();
  const guard = new SignInGuard(c.now);
  const results: ("ok" | number)[] = [];
  // A minute of hammering, one try every 100 ms; tries during a wait are refused and not counted.
  for (let i = 0; i < 600; i++) {
    results.push(attempt(guard, ADMIN, ATTACKER));
    c.advance(100);
  }
  const counted = results.filter((r) => r === "ok").length;
  assert.ok(counted >= 5 && counted <= 10, `only ${counted} guesses got through in a minute`);
  assert.ok(
    results.slice(5).some((r) => typeof r === "number"),
    "the attacker waits",
  );
  assert.equal(attempt(guard, ADMIN, ADMIN_PLACE, true), "ok", "the admin from another address is not held back");
  assert.equal(attempt(guard, ADMIN, "2001:db8:1::5", true), "ok", "not even from an address never seen before");
  const wait = attempt(guard, ADMIN, ATTACKER, true);
  assert.equal(typeof wait, "number", "the hammering address waits even with the right password");
  // After ten minutes the growing delay has reached the cap of 15 minutes per guess.
  for (let i = 0; i < 6000; i++) {
    attempt(guard, ADMIN, ATTACKER);
    c.advance(100);
  }
  assert.ok(guard.pair.waitMs(`${ADMIN}\n${ATTACKER}`) > 60_000);
  assert.equal(attempt(guard, ADMIN, ADMIN_PLACE, true), "ok");
});

test("many addresses guessing one account slow down strangers, but not the owner at a place they signed in from", () => {
  const c = clock();
  const guard = new SignInGuard(c.now);
  assert.equal(attempt(guard, ADMIN, ADMIN_PLACE, true), "ok");
  for (let i = 1; i <= 40; i++) attempt(guard, ADMIN, `192.0.2.${i}`);
  const stranger = attempt(guard, ADMIN, "192.0.2.200");
  assert.equal(typeof stranger, "number", "a new address waits while the account is under attack");
  assert.ok((stranger as number) <= 60, "for at most a minute");
  assert.equal(attempt(guard, ADMIN, ADMIN_PLACE, true), "ok", "the owner's known address goes straight in");
  assert.equal(attempt(guard, "someone-else@mariner.test", "192.0.2.200", true), "ok", "other accounts are unaffected");
});

test("one address spraying many accounts is slowed down; succeeding at its own account does not wipe its count", () => {
  const c = clock();
  const guard = new SignInGuard(c.now);
  for (let i = 0; i < 20; i++) {
    attempt(guard, `user${i}@x.test`, ATTACKER);
    attempt(guard, "attacker@x.test", ATTACKER, true);
  }
  assert.equal(typeof attempt(guard, "user99@x.test", ATTACKER), "number");
  assert.equal(attempt(guard, "user99@x.test", ADMIN_PLACE), "ok");
});

test("parallel guesses count before their outcome: a burst cannot all slip through the free failures", () => {
  const guard = new SignInGuard(clock().now);
  const started = Array.from({ length: 50 }, () => attempt(guard, ADMIN, ATTACKER)).filter((r) => r === "ok").length;
  assert.equal(started, 5);
});

test("bad Bearer tokens slow down their address only; a valid token is not counted", () => {
  const c = clock();
  const guard = new SignInGuard(c.now);
  for (let i = 0; i < 50; i++) {
    const a = guard.admitToken(ADMIN_PLACE);
    assert.ok(a.ok);
    a.succeeded();
  }
  const results = Array.from({ length: 30 }, () => guard.admitToken(ATTACKER).ok);
  assert.equal(results.filter(Boolean).length, 10);
  assert.ok(results.slice(10).every((ok) => !ok));
  assert.ok(guard.admitToken(ADMIN_PLACE).ok);
  for (let i = 0; i < 100; i++)
    assert.ok(guard.admitToken(UNKNOWN_ADDRESS).ok, "a shared unknown address is not throttled for tokens");
});

test("a refusal becomes a 429 that says how long to wait", () => {
  const e = tooManyFailures(4, "sign-ins from this address or for this account");
  assert.ok(e instanceof ServiceError);
  assert.equal(e.status, 429);
  assert.equal(e.message, "Too many failed sign-ins from this address or for this account; try again in 4 s");
  assert.deepEqual(e.details, { retryAfterSec: 4 });
});

test("the client address comes only from the header our own server stamps; IPv6 counts per /64", () => {
  const prev = process.env.MARINER_CLIENT_ADDRESS_STAMPED;
  try {
    delete process.env.MARINER_CLIENT_ADDRESS_STAMPED;
    assert.equal(
      clientAddress(new Headers({ "x-mariner-client-address": "127.0.0.9", "x-forwarded-for": "1.2.3.4" })),
      UNKNOWN_ADDRESS,
    );
    process.env.MARINER_CLIENT_ADDRESS_STAMPED = "1";
    assert.equal(
      clientAddress(new Headers({ "x-mariner-client-address": "127.0.0.9", "x-forwarded-for": "1.2.3.4" })),
      "127.0.0.9",
    );
    assert.equal(clientAddress({ "x-mariner-client-address": "::ffff:127.0.0.9" }), "127.0.0.9");
    assert.equal(clientAddress({ "x-forwarded-for": "1.2.3.4" }), UNKNOWN_ADDRESS);
    assert.equal(clientAddress(undefined), UNKNOWN_ADDRESS);
    assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
    assert.equal(addressKey("garbage"), UNKNOWN_ADDRESS);
  } finally {
    if (prev === undefined) delete process.env.MARINER_CLIENT_ADDRESS_STAMPED;
    else process.env.MARINER_CLIENT_ADDRESS_STAMPED = prev;
  }
});
