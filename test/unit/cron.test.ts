import assert from "node:assert/strict";
import { test } from "node:test";
import { cronMatches, nextRuns, parseCron } from "../../lib/backups/cron";

test("cron schedules match the minutes they name, whatever the seconds", () => {
  const at = new Date(2026, 10, 27, 3, 0, 42); // Friday 03:00:42
  assert.ok(cronMatches("0 3 * * *", at));
  assert.ok(cronMatches("*/15 * * * 5", at));
  assert.ok(cronMatches("0 1-4 * 11 1,5", at));
  assert.ok(!cronMatches("30 3 * * *", at));
  assert.ok(!cronMatches("0 3 * * 0", at));
});

test("day-of-month and day-of-week: either matches, as in cron", () => {
  // `0 3 1 * 1` = the 1st of every month AND every Monday (the hand-rolled parser required both).
  assert.ok(cronMatches("0 3 1 * 1", new Date(2026, 11, 1, 3, 0)), "Tuesday the 1st");
  assert.ok(cronMatches("0 3 1 * 1", new Date(2026, 11, 7, 3, 0)), "Monday the 7th");
  assert.ok(!cronMatches("0 3 1 * 1", new Date(2026, 11, 8, 3, 0)), "Tuesday the 8th");
  assert.deepEqual(
    nextRuns("0 3 1 * 1", 3, new Date(2026, 10, 28)).map((d) => d.getDate()),
    [30, 1, 7],
  );
});

test("malformed schedules are refused with the reason", () => {
  assert.throws(() => parseCron(""), /5 fields/);
  assert.throws(() => parseCron("* * * *"), /5 fields/);
  assert.throws(() => parseCron("0 0 3 * * *"), /5 fields/, "seconds are not part of the promise");
  assert.throws(() => parseCron("61 * * * *"), /not a valid schedule: .*minute/);
  for (const bad of ["a * * * *", "5-1 * * * *"]) assert.throws(() => parseCron(bad), /not a valid schedule/, bad);
});
