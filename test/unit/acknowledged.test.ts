import assert from "node:assert/strict";
import { test } from "node:test";
import {
  judgeAcknowledged,
  readSemiSyncLog,
  semiSyncHeld,
  type SemiSyncEvidence,
  type SemiSyncLog,
} from "../../lib/topology/analysis/acknowledged";

// Lines as MariaDB 10.11 writes them (copied from masters' error logs on this machine).
const ready = "2026-12-04  3:17:20 0 [Note] /usr/sbin/mariadbd: ready for connections.";
const enabled = "2026-12-04  3:17:21 25 [Note] Semi-sync replication enabled on the master.";
const start = (id: number) =>
  `2026-12-04  3:17:22 37 [Note] Start semi-sync binlog_dump to slave (server_id: ${id}), pos(./mysql-bin.000001, 4)`;
const stop = (id: number) => `2026-12-04  3:19:01 37 [Note] Stop semi-sync binlog_dump to slave (server_id: ${id})`;
const off = "2026-12-04  3:01:00 12 [Note] Semi-sync replication switched OFF.";
const on =
  "2026-12-04  3:01:00 5 [Note] Semi-sync replication switched ON with slave (server_id: 2) at (mysql-bin.000001, 1711)";
// A failed login whose user name is MariaDB's own note: it must not count.
const forged =
  "2026-12-04  3:01:02 40 [Warning] Access denied for user '2026-12-04  3:01:00 5 [Note] Semi-sync replication switched ON with slave'@'127.0.0.1' (using password: YES)";

const healthy: SemiSyncLog = { on: true, switchedOff: null, clientsAtEnd: 1 };
const evidence = (e: Partial<SemiSyncEvidence>): SemiSyncEvidence => ({
  wanted: true,
  observed: "active",
  observedSince: null,
  detail: null,
  log: healthy,
  ...e,
});

test("the log since the last start: off until switched on, slaves connected, forged lines ignored", () => {
  assert.equal(readSemiSyncLog([enabled, start(2)]), null, "no start in the lines: unknown");
  assert.deepEqual(readSemiSyncLog([ready, enabled, start(2), start(3), stop(3)]), {
    on: true,
    switchedOff: null,
    clientsAtEnd: 1,
  });
  // Started with semi-sync in my.cnf: off until a slave has caught up.
  assert.equal(readSemiSyncLog([off, ready, start(2)])!.on, false);
  assert.equal(readSemiSyncLog([ready, start(2), on])!.on, true);
  assert.deepEqual(readSemiSyncLog([ready, enabled, start(2), off]), { on: false, switchedOff: off, clientsAtEnd: 1 });
  assert.equal(readSemiSyncLog([ready, enabled, start(2), off, on])!.on, true);
  assert.equal(readSemiSyncLog([ready, start(2), forged])!.on, false, "a user name is not a note");
  // An earlier life of the server does not count.
  assert.equal(readSemiSyncLog([enabled, start(2), ready])!.on, false);
});

test("held only on the dead master's own word, never against a fallback the monitor saw", () => {
  assert.equal(semiSyncHeld(evidence({})), true);
  assert.equal(semiSyncHeld(evidence({ observed: null })), true);
  assert.equal(semiSyncHeld(evidence({ log: { on: false, switchedOff: off, clientsAtEnd: 1 } })), false);
  assert.equal(semiSyncHeld(evidence({ log: { ...healthy, clientsAtEnd: 0 } })), false);
  assert.equal(semiSyncHeld(evidence({ log: null })), false, "without its log nothing is claimed");
  assert.equal(semiSyncHeld(evidence({ observed: "fallen-back" })), false);
  assert.equal(semiSyncHeld(evidence({ wanted: false })), false);
});

test("the sentence names where the acknowledged writes are, or what may be lost and why", () => {
  const held = evidence({});
  assert.deepEqual(judgeAcknowledged("shop", held, "shop-slave-1", "shop-slave-1", 0, 2), {
    text: "Semi-synchronous replication was active until shop stopped: all acknowledged writes are on shop-slave-1. The 2 transactions in shop's binary log that no slave received were never acknowledged to a client.",
    losesAcknowledged: false,
  });
  const behind = judgeAcknowledged("shop", held, "shop-slave-2", "shop-slave-1", 3, 5);
  assert.equal(behind.losesAcknowledged, true);
  assert.match(behind.text, /shop-slave-2 lacks 3 transactions of them, so promoting shop-slave-2 would lose/);
  const unapplied = judgeAcknowledged("shop", held, "shop-slave-1", "shop-slave-1", 2, 0);
  assert.equal(unapplied.losesAcknowledged, true);
  assert.match(unapplied.text, /2 transactions of them are not applied yet/);
  const missing = judgeAcknowledged("shop", held, "s1", "s1", 0, 0, 1);
  assert.match(missing.text, /1 of the semi-sync slaves connected to it when it stopped does not answer/);
  assert.match(
    judgeAcknowledged("shop", evidence({ log: { on: false, switchedOff: off, clientsAtEnd: 1 } }), "s1", "s1", 0, 4)
      .text,
    /cannot be shown to have held when shop stopped \(its log says "Semi-sync replication switched OFF\."\).*4 transactions on shop's disk reached no slave and are lost/,
  );
  assert.match(
    judgeAcknowledged("shop", evidence({ log: null }), "s1", "s1", 0, null).text,
    /error log cannot be read/,
  );
  assert.match(
    judgeAcknowledged("shop", evidence({ wanted: false }), "s1", "s1", 0, null).text,
    /^Asynchronous replication: .*unknown \(shop's binary logs cannot be read\)/,
  );
  assert.match(judgeAcknowledged("shop", evidence({ wanted: false }), "s1", "s1", 0, 0).text, /nothing is lost/);
  assert.equal(
    judgeAcknowledged("shop", held, null, null, 0, null).text,
    "shop has no slave that could hold its writes",
  );
});
