import assert from "node:assert/strict";
import { test } from "node:test";
import { judgePromotion, type PromotionFacts } from "../../lib/topology/analysis/promotion";
import { parseGtid } from "../../lib/mariadb/gtid";
import type { ServerFacts, TopologyNode } from "../../lib/topology/discover";

// The pre-flight's judgement is a pure function of what discovery read: checked here on hand-made facts.

const running = {
  Slave_IO_Running: "Yes",
  Slave_SQL_Running: "Yes",
  Seconds_Behind_Master: 0,
  Using_Gtid: "Slave_Pos",
};
const stopped = { ...running, Slave_IO_Running: "Connecting", Last_IO_Errno: 2003, Last_IO_Error: "refused" };

function slave(
  name: string,
  serverId: number,
  gtid: string,
  row: Record<string, string | number> = stopped,
): TopologyNode {
  const facts: ServerFacts = {
    serverId,
    readOnly: true,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: "MIXED",
    gtidCurrentPos: gtid,
    gtidBinlogPos: gtid,
    gtidSlavePos: gtid,
    gtidBinlogState: gtid,
    slaveSkipErrors: "OFF",
    slave: row,
    connections: [{ name: "", status: row }],
    anonymousUsers: [],
    tls: false,
    galera: null,
    semiSync: {
      masterEnabled: false,
      masterActive: false,
      clients: 0,
      ackedTx: 0,
      unackedTx: 0,
      timeoutMs: 1000,
      waitPoint: "AFTER_SYNC",
      slaveEnabled: true,
      slaveActive: true,
    },
  };
  return {
    ownerId: "u",
    name,
    host: "127.0.0.9",
    port: 3306,
    status: "running",
    autoFailover: false,
    facts,
    master: "db",
    masters: ["db"],
    problems: [],
  };
}

const deadMaster = (slaves: TopologyNode[], extra: Partial<PromotionFacts> = {}): PromotionFacts => ({
  master: "db",
  alive: false,
  masterFacts: null,
  onDisk: null,
  slaves,
  ioUp: 0,
  recentChange: null,
  semiSync: { wanted: false, observed: null, observedSince: null, detail: null, log: null },
  ...extra,
});

test("failover picks the most advanced slave and counts nothing lost when nothing is known to be missing", () => {
  const report = judgePromotion(deadMaster([slave("s1", 2, "0-1-90"), slave("s2", 3, "0-1-100")]));
  assert.equal(report.chosen, "s2");
  assert.equal(report.blocked, null);
  assert.deepEqual(
    report.candidates.map((c) => c.name),
    ["s2", "s1"],
  );
});

test("a wanted slave behind the most advanced one is refused on failover", () => {
  const report = judgePromotion(deadMaster([slave("s1", 2, "0-1-90"), slave("s2", 3, "0-1-100")], { wanted: "s1" }));
  assert.equal(report.chosen, null);
  assert.match(report.blocked ?? "", /s1 is behind s2/);
});

test("one vantage point is not enough: slaves still receiving block the failover", () => {
  const report = judgePromotion(deadMaster([slave("s1", 2, "0-1-90", running)], { ioUp: 1 }));
  assert.equal(report.chosen, null);
  assert.match(report.blocked ?? "", /1 slave\(s\) still receive/);
});

test("errant transactions disqualify a candidate; losses are counted from the dead master's binlog", () => {
  const report = judgePromotion(
    deadMaster([slave("s1", 2, "0-1-95,0-2-96"), slave("s2", 3, "0-1-95")], {
      onDisk: { position: parseGtid("0-1-98"), gtids: "0-1-98" },
    }),
  );
  const s1 = report.candidates.find((c) => c.name === "s1")!;
  assert.equal(s1.ok, false);
  assert.match(s1.reasons.join(), /errant transactions \(0-2-96\)/);
  assert.equal(report.chosen, "s2");
  assert.equal(report.lost, 3);
});

test("anti-flapping: a recent change blocks an automatic failover with its reason", () => {
  const report = judgePromotion(
    deadMaster([slave("s1", 2, "0-1-9")], { recentChange: "A failover of db finished 3 s ago" }),
  );
  assert.equal(report.chosen, null);
  assert.equal(report.blocked, "A failover of db finished 3 s ago");
});

test("semi-sync: the holder is who received the most; automatic failover refuses to promote a slave lacking that", () => {
  const log = { on: true, switchedOff: null, clientsAtEnd: 2 };
  const semiSync = { wanted: true, observed: "active" as const, observedSince: null, detail: null, log };
  // a received 0-1-12 but applied only 0-1-10 (its SQL thread is slow); b received and applied 0-1-11.
  const a = slave("a", 2, "0-1-10", { ...stopped, Gtid_IO_Pos: "0-1-12" });
  const b = slave("b", 3, "0-1-11", { ...stopped, Gtid_IO_Pos: "0-1-11" });
  for (const n of [a, b]) n.facts!.semiSync!.slaveEnabled = true;
  const manual = judgePromotion(deadMaster([a, b], { semiSync }));
  assert.equal(manual.chosen, "b", "the most advanced in what it executed");
  assert.match(manual.acknowledged!, /all acknowledged writes are on a; b lacks 1 transaction of them/);
  const automatic = judgePromotion(deadMaster([a, b], { semiSync, automatic: true }));
  assert.equal(automatic.chosen, null);
  assert.match(automatic.blocked!, /^Automatic failover does not promote a slave that lacks acknowledged writes/);
  // A semi-sync slave the log shows connected does not answer: nothing is claimed.
  const gone = judgePromotion(deadMaster([b], { semiSync }));
  assert.match(gone.acknowledged!, /1 of the semi-sync slaves connected to it when it stopped does not answer/);
});
