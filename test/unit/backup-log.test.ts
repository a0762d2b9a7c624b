// mariadb-backup's own log lines (as 10.11 printed them on this machine) → the positions a copy records.
import assert from "node:assert/strict";
import { test } from "node:test";
import { backupLogPositions } from "../../lib/runtime/local-physical";

test("a slave's backup: its own binlog position and its position in the master's stream", () => {
  const log = [
    "[00] 2026-12-04 07:35:28 Streaming xtrabackup_binlog_info",
    "[00] 2026-12-04 07:35:28 MySQL binlog position: filename 'mysql-bin.000001', position '328', GTID of the last change '0-5-4'",
    "[00] 2026-12-04 07:35:28 MySQL slave binlog position: gtid_slave_pos '0-5-4'; master '' master_use_gtid = slave_pos",
    "[00] 2026-12-04 07:35:28 completed OK!",
  ].join("\n");
  assert.deepEqual(backupLogPositions(log), {
    binlogFile: "mysql-bin.000001",
    binlogPos: 328,
    binlogGtid: "0-5-4",
    slaveGtid: "0-5-4",
  });
});

test("a master with no transaction yet, and a server without a binary log", () => {
  const fresh = "MySQL binlog position: filename 'mysql-bin.000001', position '329', GTID of the last change ''";
  assert.deepEqual(backupLogPositions(fresh), {
    binlogFile: "mysql-bin.000001",
    binlogPos: 329,
    binlogGtid: "",
    slaveGtid: null,
  });
  assert.deepEqual(backupLogPositions("[00] completed OK!"), {
    binlogFile: null,
    binlogPos: null,
    binlogGtid: null,
    slaveGtid: null,
  });
});
