import assert from "node:assert/strict";
import { test } from "node:test";
import { cronMatches, parseCron } from "../../lib/backups/cron";

test("cron schedules match the minutes they name", () => {
  const at = new Date(2026, 10, 27, 3, 0); // Friday 03:00
  assert.ok(cronMatches("0 3 * * *", at));
  assert.ok(cronMatches("*/15 * * * 5", at));
  assert.ok(cronMatches("0 1-4 * 11 1,5", at));
  assert.ok(!cronMatches("30 3 * * *", at));
  assert.ok(!cronMatches("0 3 * * 0", at));
  for (const bad of ["", "* * * *", "61 * * * *", "a * * * *", "5-1 * * * *"]) assert.throws(() => parseCron(bad), bad);
});
