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

test("errant GTIDs: a server's own writes that nobody else has; a demoted old master's history is not errant", async () => {
  const { errantGtids, gtidState } = await import("../../lib/mariadb/gtid");
  // Slave 3 wrote 0-3-50 locally: the master (1) and the other slave only know 0-1-x.
  assert.deepEqual(errantGtids(3, "0-1-49,0-3-50", gtidState("0-1-49", "0-1-49")), ["0-3-50"]);
  // The old master (1) after a switchover: its own 0-1-784 is in the new master's gtid_slave_pos.
  assert.deepEqual(errantGtids(1, "0-1-784", gtidState("0-2-900", "0-1-784", "0-2-900")), []);
  // Same pair but a later sequence number than anybody else has seen: errant.
  assert.deepEqual(errantGtids(1, "0-1-790", gtidState("0-1-784")), ["0-1-790"]);
  // Another server's GTIDs in its binlog (replicated) are never its own errant ones; several domains.
  assert.deepEqual(errantGtids(2, "0-1-10,1-2-5,2-2-7", gtidState("1-2-5")), ["2-2-7"]);
  assert.throws(() => gtidState("0-1"), /Not a GTID/);
});

test("binlog reader: Gtid list headers (also across lines) and GTID events, never SQL text", async () => {
  const { binlogGtidReader } = await import("../../lib/mariadb/gtid");
  const r = binlogGtidReader();
  for (const line of [
    "#261127  4:46:15 server id 1  end_log_pos 285 CRC32 0xabed9da2 \tGtid list []",
    "#261127  4:46:15 server id 1  end_log_pos 370 CRC32 0xf4f487c1 \tGTID 0-1-1 ddl",
    "#261127  4:46:16 server id 1  end_log_pos 315 CRC32 0x1abe3a81 \tGtid list [0-2-40,",
    "# 0-1-9,",
    "# 3-1-1]",
    "#261127  4:46:16 server id 1  end_log_pos 443 CRC32 0x51c7ce9a \tGTID 3-1-2 ddl",
    "INSERT INTO t VALUES ('GTID 9-9-9')",
  ])
    r.line(line);
  const { position, gtids } = r.result();
  assert.deepEqual(
    [...position],
    [
      [0, { server: 2, seq: 40 }],
      [3, { server: 1, seq: 2 }],
    ],
  );
  assert.deepEqual(gtids.split(",").sort(), ["0-1-9", "0-2-40", "3-1-2"]);
});
