import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeHealing } from "../../lib/topology/analysis/healing";

test("a kept slave that is stopped, restarting or down still counts; only one whose node is lost is replaced", () => {
  const members = [
    { name: "shop-slave-1", status: "running" },
    { name: "shop-slave-2", status: "stopped" },
    { name: "shop-slave-3", status: "down" },
  ];
  assert.deepEqual(judgeHealing(3, members), {
    counted: ["shop-slave-1", "shop-slave-2", "shop-slave-3"],
    lost: [],
    missing: 0,
  });
  const lostOne = [...members.slice(0, 2), { name: "shop-slave-3", status: "unreachable" }];
  assert.deepEqual(judgeHealing(3, lostOne), {
    counted: ["shop-slave-1", "shop-slave-2"],
    lost: ["shop-slave-3"],
    missing: 1,
  });
});

test("after a failover the promoted slave is no longer kept: one replacement is due; more kept than wanted is not", () => {
  assert.equal(judgeHealing(2, [{ name: "heal-slave-2", status: "running" }]).missing, 1);
  assert.equal(
    judgeHealing(1, [
      { name: "a", status: "running" },
      { name: "b", status: "running" },
    ]).missing,
    0,
  );
  assert.equal(judgeHealing(0, []).missing, 0);
});
