import assert from "node:assert/strict";
import { test } from "node:test";
import { compareProgress, formatGtid, includes, parseGtid, transactionsMissing } from "../../lib/mariadb/gtid";

test("GTID positions parse, compare and count missing transactions per domain", () => {
  const master = parseGtid("0-1-100,1-2-7");
  const slave = parseGtid("0-1-97");
  assert.equal(formatGtid(master), "0-1-100,1-2-7");
  assert.equal(transactionsMissing(master, slave), 3 + 7);
  assert.equal(includes(master, slave), true);
  assert.equal(includes(slave, master), false);
  assert.ok(compareProgress(master, slave) < 0, "master sorts first");
  assert.equal(parseGtid("").size, 0);
  assert.throws(() => parseGtid("x-1"));
});
