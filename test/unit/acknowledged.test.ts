import assert from "node:assert/strict";
import { test } from "node:test";
import {
  judgeAcknowledged,
  readSemiSyncLog,
  semiSyncHeld,
  type AckPositions,
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

test("held only on the dead master's own word, and the monitor's last look saw it active", () => {
  assert.equal(semiSyncHeld(evidence({})), true);
  assert.equal(semiSyncHeld(evidence({ observed: null })), false, "never seen active");
  assert.equal(semiSyncHeld(evidence({ log: { on: false, switchedOff: off, clientsAtEnd: 1 } })), false);
  assert.equal(semiSyncHeld(evidence({ log: { ...healthy, clientsAtEnd: 0 } })), false);
  assert.equal(semiSyncHeld(evidence({ log: null })), false, "without its log nothing is claimed");
  assert.equal(semiSyncHeld(evidence({ observed: "fallen-back" })), false);
  assert.equal(semiSyncHeld(evidence({ wanted: false })), false);
});

const at = (p: Partial<AckPositions>): AckPositions => ({
  chosen: "s1",
  holder: "s1",
  behindHolder: 0,
  lost: 0,
  missingAckers: 0,
  unreceived: 0,
  ...p,
});

test("the sentence names where the acknowledged writes are, or what may be lost and why", () => {
  const held = evidence({});
  assert.deepEqual(
    judgeAcknowledged("shop", held, at({ chosen: "shop-slave-1", holder: "shop-slave-1", lost: 2, unreceived: 2 })),
    {
      text: "Semi-synchronous replication was active until shop stopped: all acknowledged writes are on shop-slave-1. The 2 transactions in shop's binary log that no slave received were never acknowledged to a client.",
      losesAcknowledged: false,
    },
  );
  const behind = judgeAcknowledged("shop", held, at({ chosen: "s2", behindHolder: 3, lost: 5, unreceived: 2 }));
  assert.equal(behind.losesAcknowledged, true);
  assert.match(behind.text, /s2 lacks 3 transactions of them, so promoting s2 would lose.*The 2 transactions/);
  const unapplied = judgeAcknowledged("shop", held, at({ behindHolder: 2 }));
  assert.equal(unapplied.losesAcknowledged, true);
  assert.match(unapplied.text, /2 transactions of them are not applied yet/);
  const missing = judgeAcknowledged("shop", held, at({ missingAckers: 1 }));
  assert.match(missing.text, /1 of the semi-sync slaves connected to it when it stopped does not answer/);
  const fellBack = evidence({ log: { on: false, switchedOff: off, clientsAtEnd: 1 } });
  assert.match(
    judgeAcknowledged("shop", fellBack, at({ lost: 4 })).text,
    /cannot be shown to have held when shop stopped \(its log says "Semi-sync replication switched OFF\."\).*4 transactions on shop's disk are not on s1 and are lost/,
  );
  // Unknown whether it held, but a semi-sync slave received more than the chosen one: refused all the same.
  const unknown = judgeAcknowledged("shop", evidence({ log: null }), at({ chosen: "s2", behindHolder: 1, lost: null }));
  assert.match(unknown.text, /error log cannot be read.*s1 received 1 transaction that s2 lacks/);
  assert.equal(unknown.losesAcknowledged, true);
  assert.match(
    judgeAcknowledged("shop", evidence({ wanted: false }), at({ lost: null })).text,
    /^Asynchronous replication: .*unknown \(shop's binary logs cannot be read\)/,
  );
  assert.equal(
    judgeAcknowledged("shop", evidence({ wanted: false }), at({ chosen: "s2", behindHolder: 4 })).losesAcknowledged,
    false,
  );
  assert.match(judgeAcknowledged("shop", evidence({ wanted: false }), at({})).text, /nothing is lost/);
  assert.equal(
    judgeAcknowledged("shop", held, at({ chosen: null, holder: null })).text,
    "shop has no slave that could hold its writes",
  );
});
