import assert from "node:assert/strict";
import { test } from "node:test";
import { isLocked, withLock } from "../../lib/locks";

test("work on one key is serialized, other keys run alongside, failures do not jam the queue", async () => {
  const log: string[] = [];
  const step = (name: string, ms: number) => async () => {
    log.push(`${name}>`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`<${name}`);
  };
  const a = withLock("k", step("a", 30));
  const b = withLock("k", async () => {
    throw new Error("boom");
  });
  const c = withLock("k", step("c", 5));
  const other = withLock("other", step("o", 1));
  assert.ok(isLocked("k"));
  await Promise.allSettled([a, b, c, other]);
  assert.deepEqual(
    log.filter((l) => !l.includes("o")),
    ["a>", "<a", "c>", "<c"],
  );
  assert.ok(log.indexOf("o>") < log.indexOf("<a"), "another key is not blocked");
  assert.equal(isLocked("k"), false);
});
