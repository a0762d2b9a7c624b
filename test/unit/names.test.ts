import assert from "node:assert/strict";
import { test } from "node:test";
import { environmentName, memoryMb } from "../../lib/names";

test("environment names are DNS labels", () => {
  for (const ok of ["masterbase", "slavebase", "a", "db-1", "x9"]) assert.ok(environmentName.safeParse(ok).success, ok);
  for (const bad of [
    "../x",
    "a b",
    "x'; DROP",
    "a".repeat(300),
    "",
    "-a",
    "a-",
    "Ab",
    "ü",
    "a_b",
    "a/b",
    "1abc",
    "a\0b",
    "a`b",
  ]) {
    const r = environmentName.safeParse(bad);
    assert.equal(r.success, false, JSON.stringify(bad));
    assert.match(r.error!.issues[0].message, /Name/);
  }
});

test("memory limits are whole MB in range", () => {
  assert.ok(memoryMb.safeParse(256).success);
  for (const bad of [64, 1.5, 100000, "256", null]) assert.equal(memoryMb.safeParse(bad).success, false, String(bad));
});
