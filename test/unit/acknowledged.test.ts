import assert from "node:assert/strict";
import { test } from "node:test";
import {
  judgeAcknowledged,
  readSemiSyncLog,
  semiSyncHeld,
  type SemiSyncEvidence,
} from "../../lib/topology/analysis/acknowledged";

// Lines as MariaDB 10.11 writes them (copied from a master's error log on this machine).
const started = "2026-12-04  3:00:55 0 [Note] /usr/sbin/mariadbd: ready for connections.";
const start = (id: number) =>
  `2026-12-04  3:00:59 10 [Note] Start semi-sync binlog_dump to slave (server_id: ${id}), pos(./mysql-bin.000001, 4)`;
const stop = (id: number) => `2026-12-04  3:00:58 6 [Note] Stop semi-sync binlog_dump to slave (server_id: ${id})`;
const off = "2026-12-04  3:01:00 12 [Note] Semi-sync replication switched OFF.";
const on =
  "2026-12-04  3:01:00 5 [Note] Semi-sync replication switched ON with slave (server_id: 2) at (mysql-bin.000001, 1711)";

const evidence = (e: Partial<SemiSyncEvidence>): SemiSyncEvidence => ({
  wanted: true,
  observed: "active",
  observedSince: null,
  detail: null,
  log: null,
  ...e,
});

test("the log since the last start: slaves connected, and a switch to asynchronous not followed by ON", () => {
  assert.equal(readSemiSyncLog([start(2), stop(2)]), null, "no start in the lines: unknown");
  assert.deepEqual(readSemiSyncLog([start(9), started, start(2), start(3), stop(3)]), {
    switchedOff: null,
    clientsAtEnd: 1,
  });
  assert.equal(readSemiSyncLog([started, start(2), off])!.switchedOff, off);
  assert.equal(readSemiSyncLog([started, start(2), off, on])!.switchedOff, null);
  // An earlier life of the server does not count.
  assert.equal(readSemiSyncLog([off, started, start(2)])!.switchedOff, null);
});

test("held only with evidence: the log when readable, else the monitor's last look", () => {
  assert.equal(semiSyncHeld(evidence({ log: { switchedOff: null, clientsAtEnd: 1 } })), true);
  assert.equal(semiSyncHeld(evidence({ observed: null, log: { switchedOff: null, clientsAtEnd: 2 } })), true);
  assert.equal(semiSyncHeld(evidence({ log: { switchedOff: off, clientsAtEnd: 1 } })), false);
  assert.equal(semiSyncHeld(evidence({ log: { switchedOff: null, clientsAtEnd: 0 } })), false);
  assert.equal(semiSyncHeld(evidence({ log: null })), true);
  assert.equal(semiSyncHeld(evidence({ observed: null, log: null })), false);
  assert.equal(semiSyncHeld(evidence({ observed: "fallen-back", log: { switchedOff: null, clientsAtEnd: 1 } })), false);
  assert.equal(semiSyncHeld(evidence({ wanted: false, log: { switchedOff: null, clientsAtEnd: 1 } })), false);
});

test("the sentence names where the acknowledged writes are, or what may be lost and why", () => {
  const held = evidence({ log: { switchedOff: null, clientsAtEnd: 1 } });
  assert.equal(
    judgeAcknowledged("shop", held, "shop-slave-1", "shop-slave-1", 0, 2),
    "Semi-synchronous replication was active until shop stopped: all acknowledged writes are on shop-slave-1. The 2 transactions in shop's binary log that no slave received were never acknowledged to a client.",
  );
  assert.match(
    judgeAcknowledged("shop", held, "shop-slave-2", "shop-slave-1", 3, 5),
    /shop-slave-2 is 3 transactions behind it, so promoting shop-slave-2 would lose acknowledged writes/,
  );
  assert.match(
    judgeAcknowledged("shop", evidence({ log: { switchedOff: off, clientsAtEnd: 1 } }), "s1", "s1", 0, 4),
    /not holding when shop stopped \(its log says "Semi-sync replication switched OFF\."\).*4 transactions on shop's disk reached no slave and are lost/,
  );
  assert.match(
    judgeAcknowledged("shop", evidence({ wanted: false }), "s1", "s1", 0, null),
    /^Asynchronous replication: .*unknown \(shop's binary logs cannot be read\)/,
  );
  assert.match(judgeAcknowledged("shop", evidence({ wanted: false }), "s1", "s1", 0, 0), /nothing is lost/);
  assert.equal(judgeAcknowledged("shop", held, null, null, 0, null), "shop has no slave that could hold its writes");
});
