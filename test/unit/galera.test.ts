import assert from "node:assert/strict";
import { test } from "node:test";
import type { WsrepStatus } from "../../lib/mariadb/galera";
import type { GaleraPosition } from "../../lib/runtime/driver";
import { judgeCluster, type MemberLook } from "../../lib/galera/health";
import { judgeRecovery, mostAdvanced } from "../../lib/galera/recover";
import { chooseTargets } from "../../lib/galera/endpoints";
import { galeraOptions } from "../../lib/galera/settings";
import { parseGrastate } from "../../lib/runtime/local-galera";

const wsrep = (over: Partial<WsrepStatus> = {}): WsrepStatus => ({
  state: "Synced",
  clusterSize: 3,
  clusterStatus: "Primary",
  clusterUuid: "u-1",
  ready: true,
  connected: true,
  flowControlPaused: 0,
  recvQueue: 0,
  sendQueue: 0,
  lastCommitted: 10,
  incomingAddresses: [],
  ...over,
});
const look = (name: string, w: WsrepStatus | null, running = w !== null): MemberLook => ({
  name,
  address: `127.0.0.${name.slice(-1)}:3306`,
  running,
  wsrep: w,
});

test("health: three Synced members are healthy; one down is degraded with a restart to do", () => {
  assert.equal(judgeCluster([look("g-1", wsrep()), look("g-2", wsrep()), look("g-3", wsrep())]).state, "healthy");
  const two = wsrep({ clusterSize: 2 });
  const h = judgeCluster([look("g-1", null), look("g-2", two), look("g-3", two)]);
  assert.equal(h.state, "degraded");
  assert.equal(h.primarySize, 2);
  assert.deepEqual(
    h.problems.map((p) => p.message),
    ["g-1 is down: the cluster runs on 2 of 3 members"],
  );
  assert.match(h.problems[0].fix, /IST/);
});

test("health: every member down is a full crash; members without a primary component (a split) are shown", () => {
  const down = judgeCluster([look("g-1", null), look("g-2", null), look("g-3", null)]);
  assert.equal(down.state, "down");
  assert.match(down.problems[0].message, /Every member is down/);
  assert.match(down.problems[0].fix, /most advanced member/);
  // 2 of 4 on each side: neither has a majority, both refuse queries.
  const half = wsrep({ clusterStatus: "non-Primary", clusterSize: 2 });
  const split = [look("g-1", half), look("g-2", half), look("g-3", half), look("g-4", half)];
  const h = judgeCluster(split);
  assert.equal(h.state, "down");
  assert.match(h.problems[0].message, /No member is in a primary component \(g-1: non-Primary/);
  assert.match(h.problems[0].fix, /forcing a side to continue can lose the other side's commits/);
  // …and recovery refuses to force either side.
  assert.throws(() => judgeRecovery(split), /outside a primary component.*does not force a side/);
});

test("health: two primary components are split brain; a desynced member and flow control are warnings", () => {
  const h = judgeCluster([
    look("g-1", wsrep({ clusterUuid: "a", clusterSize: 1 })),
    look("g-2", wsrep({ clusterUuid: "b", clusterSize: 1 })),
  ]);
  assert.ok(h.problems.some((p) => /Split brain: members are in 2 different primary components/.test(p.message)));
  const w = judgeCluster([
    look("g-1", wsrep({ state: "Donor/Desynced" })),
    look("g-2", wsrep({ flowControlPaused: 0.4 })),
    look("g-3", wsrep()),
  ]);
  assert.equal(w.state, "degraded");
  assert.deepEqual(
    w.problems.map((p) => p.severity),
    ["warning", "warning"],
  );
  assert.match(w.problems[0].message, /g-1 is Donor\/Desynced: it is giving a state transfer or a backup/);
  assert.match(w.problems[1].message, /Flow control paused replication 40% of the time on g-2/);
});

test("recovery: judged from the looks; bootstraps the highest seqno only, never guesses", () => {
  assert.equal(judgeRecovery([look("g-1", null), look("g-2", null)]), "full-crash");
  assert.equal(judgeRecovery([look("g-1", null), look("g-2", wsrep())]), "rejoin");
  assert.equal(judgeRecovery([look("g-1", wsrep()), look("g-2", wsrep())]), "nothing");
  const at = (seqno: number, safe = false, uuid = "u"): GaleraPosition => ({
    uuid,
    seqno,
    safeToBootstrap: safe,
    source: "wsrep-recover",
  });
  assert.equal(
    mostAdvanced([
      { name: "g-1", position: at(105) },
      { name: "g-2", position: at(107) },
      { name: "g-3", position: at(106, true) },
    ]).name,
    "g-2",
    "the most advanced, even when another was marked safe",
  );
  assert.equal(
    mostAdvanced([
      { name: "g-1", position: at(7) },
      { name: "g-2", position: at(7, true) },
    ]).name,
    "g-2",
    "a tie goes to the one already safe to bootstrap",
  );
  assert.throws(
    () =>
      mostAdvanced([
        { name: "g-1", position: at(7) },
        { name: "g-2", position: null },
      ]),
    /position of g-2 cannot be read/,
  );
  assert.throws(
    () =>
      mostAdvanced([
        { name: "g-1", position: at(7, false, "a") },
        { name: "g-2", position: at(9, false, "b") },
      ]),
    /different cluster histories/,
  );
});

test("endpoints: Synced members only; the writer stays put while it is Synced", () => {
  const looks = [look("g-1", wsrep({ state: "Joined" })), look("g-2", wsrep()), look("g-3", wsrep())];
  const t = chooseTargets(looks, null);
  assert.equal(t.writer, "g-2");
  assert.deepEqual(
    t.readers.map((r) => r.host),
    ["127.0.0.2", "127.0.0.3"],
  );
  assert.equal(chooseTargets(looks, "g-3").writer, "g-3");
  assert.deepEqual(
    chooseTargets(looks, "g-3").writers.map((w) => w.host),
    ["127.0.0.3", "127.0.0.2"],
  );
  assert.equal(chooseTargets([look("g-1", wsrep({ clusterStatus: "non-Primary" }))], "g-1").writer, null);
});

test("settings: each member on its own address; grastate.dat parsed", () => {
  const members = [
    { name: "g-1", host: "127.0.0.2" },
    { name: "g-2", host: "127.0.0.3" },
  ];
  const o = galeraOptions({ clusterName: "c", sstUser: "u", sstPassword: "p" }, members[1], members);
  assert.equal(o["wsrep-cluster-address"], "gcomm://127.0.0.2:4567,127.0.0.3:4567");
  assert.equal(o["wsrep-node-address"], "127.0.0.3:4567");
  assert.equal(o["wsrep-provider-options"], "gmcast.listen_addr=tcp://127.0.0.3:4567;ist.recv_addr=127.0.0.3:4568");
  assert.equal(o["wsrep-sst-receive-address"], "127.0.0.3:4444");
  assert.deepEqual(
    parseGrastate("# GALERA saved state\nversion: 2.1\nuuid:    3e0a-u\nseqno:   -1\nsafe_to_bootstrap: 0\n"),
    { uuid: "3e0a-u", seqno: -1, safeToBootstrap: false },
  );
  assert.equal(parseGrastate("garbage"), null);
});
