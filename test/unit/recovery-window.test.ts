// The recovery plan over archive eras: which files, from where, and the gaps it must refuse (pure: rows built here).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ArchivedBinlog, Backup, BinlogArchive } from "../../generated/prisma/client";
import { planRecovery, recoveryView } from "../../lib/backups/recovery-window";

const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 8, 0, s));

const archive = (eras: [string, number][]): BinlogArchive => ({
  id: "arch",
  ownerId: "u",
  environmentId: "a",
  masterId: eras.at(-1)![0],
  eras: JSON.stringify(
    eras.map(([masterId, s]) => ({ masterId, name: `env-${masterId}`, since: at(s).toISOString() })),
  ),
  enabled: true,
  state: null,
  stateAt: null,
  createdAt: at(0),
});

const file = (env: string, name: string, start: string, end: string, first: number, last: number): ArchivedBinlog => ({
  id: `${env}/${name}`,
  archiveId: "arch",
  segment: `${env}-1-e${env === "a" ? 0 : 1}`,
  sourceEnvironmentId: env,
  sourceName: `env-${env}`,
  serverId: 1,
  fileName: name,
  path: `/archive/${env}/${name}`,
  sizeBytes: 100,
  startState: start,
  endState: end,
  firstEventAt: at(first),
  lastEventAt: at(last),
  createdAt: at(first),
  updatedAt: at(last),
});

const backup = (env: string, gtid: string, finished: number): Backup =>
  ({
    id: `b-${gtid}`,
    environmentId: env,
    environmentName: `env-${env}`,
    ownerId: "u",
    sourceName: `env-${env}`,
    method: "physical",
    format: "xbstream",
    file: "/x",
    status: "succeeded",
    gtidPosition: gtid,
    finishedAt: at(finished),
    startedAt: at(finished - 1),
  }) as Backup;

const files = (plan: ReturnType<typeof planRecovery>) =>
  "refused" in plan ? plan.refused : plan.steps.map((s) => `${s.era}:${s.files.map((f) => f.id).join("+")}`);

test("after a failover, a target in the new era replays only the new master's history when it reaches back far enough", () => {
  const a = archive([
    ["a", 0],
    ["b", 20],
  ]);
  const rows = [file("a", "m.000001", "", "0-1-10", 1, 19), file("b", "s.000001", "0-1-3", "0-1-9,0-2-15", 2, 30)];
  const plan = planRecovery(a, rows, [backup("a", "0-1-5", 5)], { time: at(25) });
  assert.deepEqual(files(plan), ["env-b:b/s.000001"], "0-1-10 (lost by the failover) is never replayed");
  const early = planRecovery(a, rows, [backup("a", "0-1-5", 5)], { time: at(10) });
  assert.deepEqual(files(early), ["env-a:a/m.000001"], "a target before the failover reads the old master's files");
});

test("a new master whose binary log starts after the backup continues from the old one's files up to the fork", () => {
  const a = archive([
    ["a", 0],
    ["b", 20],
  ]);
  const rows = [file("a", "m.000001", "", "0-1-10", 1, 19), file("b", "s.000001", "0-1-8", "0-1-8,0-2-15", 21, 30)];
  const plan = planRecovery(a, rows, [backup("a", "0-1-5", 5)], { time: at(25) });
  assert.ok(!("refused" in plan));
  assert.deepEqual(files(plan), ["env-a:a/m.000001", "env-b:b/s.000001"]);
  assert.deepEqual((plan as { steps: { stop: unknown }[] }).steps[0].stop, {
    gtid: new Map([[0, { server: 1, seq: 8 }]]),
  });
  assert.deepEqual(recoveryView(a, rows, [backup("a", "0-1-5", 5)]).gaps, []);
});

test("gaps are refused with their reason: logs never archived between masters, or purged before archiving began", () => {
  const a = archive([
    ["a", 0],
    ["b", 20],
  ]);
  const hole = [file("a", "m.000001", "", "0-1-10", 1, 19), file("b", "s.000001", "0-1-12", "0-1-12,0-2-15", 21, 30)];
  const refused = planRecovery(a, hole, [backup("a", "0-1-5", 5)], { time: at(25) });
  assert.match(
    files(refused) as string,
    /env-b's binary logs start at 0-1-12 but env-a's archive ends at 0-1-10: transactions between them were never archived/,
  );
  assert.equal(recoveryView(a, hole, [backup("a", "0-1-5", 5)]).gaps.length, 1);
  const late = [file("a", "m.000002", "0-1-4", "0-1-10", 1, 19)];
  const purged = planRecovery(archive([["a", 0]]), late, [backup("a", "0-1-2", 5)], { time: at(10) });
  assert.match(files(purged) as string, /older ones were purged before archiving began/);
});

test("targets outside the window, and GTID targets", () => {
  const a = archive([["a", 0]]);
  const rows = [file("a", "m.000001", "", "0-1-10", 1, 19)];
  const bases = [backup("a", "0-1-5", 5)];
  assert.match(files(planRecovery(a, rows, bases, { time: at(3) })) as string, /No backup was taken before that point/);
  assert.match(files(planRecovery(a, rows, bases, { time: at(40) })) as string, /Nothing is archived after/);
  assert.deepEqual(files(planRecovery(a, rows, bases, { gtid: new Map([[0, { server: 1, seq: 7 }]]) })), [
    "env-a:a/m.000001",
  ]);
  assert.match(
    files(planRecovery(a, rows, bases, { gtid: new Map([[0, { server: 1, seq: 11 }]]) })) as string,
    /No archived binary log reaches 0-1-11/,
  );
  const view = recoveryView(a, rows, bases);
  assert.deepEqual([view.from, view.to], [at(5), at(19)]);
});
