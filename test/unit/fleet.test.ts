// The fleet views' pure parts: clusters in the environment list, the map model, its layout and filters, and the
// shared looks (single-flight, reuse, background refresh).
import assert from "node:assert/strict";
import { test } from "node:test";
import { layoutFleet, NODE_H, NODE_W } from "../../components/topology/map-layout";
import { filterFleet } from "../../lib/topology/fleet-filters";
import type { EnvironmentWithNodes } from "../../lib/environments/service";
import { groupEnvironments, listQueryFrom, PAGE_ROWS, selectGroups } from "../../lib/environments/groups";
import type { ServerFacts, Topology, TopologyEdge, TopologyNode } from "../../lib/topology/discover";
import { detachRefusal } from "../../lib/topology/detach";
import { fleetMap } from "../../lib/topology/map-model";
import { forgetLooks, lastLooks, lookAt } from "../../lib/topology/observed";

let ids = 0;
function env(name: string, observedMaster: string | null = null, extra: Partial<EnvironmentWithNodes> = {}) {
  const id = `e${++ids}`;
  return {
    id,
    name,
    ownerId: "u1",
    runtime: "local",
    status: "running",
    statusDetail: null,
    observedMaster,
    engineVersion: "10.11",
    memoryMb: 256,
    createdAt: new Date(ids * 1000),
    nodes: [{ host: "127.0.0.1", port: 3000 + ids, serverId: ids }],
    ...extra,
  } as unknown as EnvironmentWithNodes;
}

const replicating = (lag: number) =>
  ({
    slave: { Slave_IO_Running: "Yes", Slave_SQL_Running: "Yes", Seconds_Behind_Master: lag },
  }) as unknown as ServerFacts;

test("clusters: a chain is one group depth-first; a stopped slave stays in it; other owners' names do not join", () => {
  const m = env("shop");
  const s1 = env("shop-slave-1", "shop");
  const s2 = env("shop-slave-2", "shop-slave-1");
  const stopped = env("shop-slave-3", "shop", { status: "stopped" });
  const solo = env("solo");
  const foreign = env("shop-slave-9", "shop", { ownerId: "u2" });
  const looks = new Map([
    [s1.id, replicating(0)],
    [s2.id, replicating(45)],
  ]);
  const groups = groupEnvironments([m, s1, s2, stopped, solo, foreign], looks, new Map([["u2", "bob@x"]]));
  assert.deepEqual(
    groups.map((g) => g.rows.map((r) => `${"  ".repeat(r.depth)}${r.env.name}:${r.role}`)),
    [
      ["shop:master", "  shop-slave-1:intermediate", "    shop-slave-2:slave", "  shop-slave-3:slave"],
      ["solo:standalone"],
      ["shop-slave-9:standalone"],
    ],
  );
  const shop = groups[0];
  assert.equal(shop.health, "warning"); // shop-slave-2 is 45 s behind
  assert.equal(shop.rows[2].health.text, "45 s behind");
  assert.equal(shop.rows[3].health.level, "idle");
  assert.equal(groups[2].rows[0].owner, "bob@x");
});

test("clusters: stale observations forming a cycle still place every environment exactly once", () => {
  const a = env("a", "b");
  const b = env("b", "a");
  const groups = groupEnvironments([a, b], new Map(), new Map());
  assert.deepEqual(groups.flatMap((g) => g.rows.map((r) => r.env.name)).sort(), ["a", "b"]);
});

test("list: search keeps the whole group; problems filter; pages of 25 groups", () => {
  const m = env("db");
  const s = env("db-slave-1", "db");
  const down = env("lost", null, { status: "down", statusDetail: "exited" });
  const many = Array.from({ length: 60 }, (_, i) => env(`n${i}`));
  const groups = groupEnvironments([m, s, down, ...many], new Map(), new Map());
  const found = selectGroups(groups, { ...listQueryFrom({}), q: "slave-1" });
  assert.deepEqual(
    found.groups.map((g) => g.rows.map((r) => r.env.name)),
    [["db", "db-slave-1"]],
  );
  const problems = selectGroups(groups, listQueryFrom({ status: "problems" }));
  assert.deepEqual(
    problems.groups.map((g) => g.rows[0].env.name),
    ["lost"],
  );
  const page3 = selectGroups(groups, listQueryFrom({ page: "3" }));
  // 63 rows in 62 groups, 40 rows a page, the two-row group never split.
  const first = selectGroups(groups, listQueryFrom({}));
  assert.equal(
    first.groups.reduce((n, g) => n + g.rows.length, 0),
    PAGE_ROWS,
  );
  assert.equal(page3.pages, 2);
  assert.equal(page3.page, 2, "a page past the end shows the last one");
  assert.equal(
    page3.groups.reduce((n, g) => n + g.rows.length, 0),
    63 - PAGE_ROWS,
  );
  assert.equal(selectGroups(groups, listQueryFrom({ page: "99" })).page, page3.pages);
  assert.equal(listQueryFrom({ sort: "'; DROP", status: "evil" }).sort, "created");
});

function node(name: string, master: string | null, facts = true): TopologyNode {
  return {
    ownerId: "u1",
    name,
    host: "127.0.0.1",
    port: 3306,
    status: facts ? "running" : "stopped",
    autoFailover: false,
    facts: facts
      ? ({ serverId: 1, slave: master ? {} : null, tls: false, semiSync: null } as unknown as ServerFacts)
      : null,
    master,
    masters: master ? [master] : [],
    problems: [],
  };
}

function edge(from: string, to: string, connection = ""): TopologyEdge {
  return {
    ownerId: "u1",
    from,
    to,
    connection,
    health: { state: "running" } as TopologyEdge["health"],
    ioRunning: true,
    sqlRunning: true,
    secondsBehind: 0,
    tls: false,
    filters: {},
    problems: [],
  };
}

test("map model: roles, multi-source joins clusters, a stopped slave joins by its last-seen master", () => {
  const envs = ["m1", "m2", "agg", "s1", "gone", "solo"].map((n) => env(n, n === "gone" ? "m1" : null));
  const topology: Topology = {
    nodes: [
      node("m1", null),
      node("m2", null),
      node("agg", "m1"),
      node("s1", "m1"),
      node("gone", null, false),
      node("solo", null),
    ],
    edges: [edge("m1", "agg"), edge("m2", "agg", "west"), edge("m1", "s1")],
    observedAt: Date.now(),
  };
  const map = fleetMap(topology, envs, new Map(), "u1");
  const by = new Map(map.servers.map((s) => [s.name, s]));
  assert.equal(by.get("agg")!.role, "multi-source");
  assert.equal(by.get("m1")!.role, "master");
  assert.equal(by.get("solo")!.role, "standalone");
  assert.equal(by.get("gone")!.role, "unknown");
  assert.deepEqual(
    new Set(["m1", "m2", "agg", "s1", "gone"].map((n) => by.get(n)!.cluster)).size,
    1,
    "one cluster through the multi-source slave and the last-seen link",
  );
  assert.ok(map.links.some((l) => l.to === "gone" && l.state === "last seen"));
  assert.notEqual(by.get("solo")!.cluster, by.get("m1")!.cluster);
});

test("map model: the same name under two owners is two servers; only the viewer's own can be moved", () => {
  const mineEnv = env("db");
  const theirs = env("db", null, { ownerId: "u2" } as Partial<EnvironmentWithNodes>);
  const theirSlave = env("db-slave-1", "db", { ownerId: "u2" } as Partial<EnvironmentWithNodes>);
  const topology: Topology = {
    nodes: [node("db", null), { ...node("db", null), ownerId: "u2" }, { ...node("db-slave-1", "db"), ownerId: "u2" }],
    edges: [{ ...edge("db", "db-slave-1"), ownerId: "u2" }],
    observedAt: 0,
  };
  const map = fleetMap(topology, [mineEnv, theirs, theirSlave], new Map([["u2", "bob@x"]]), "u1");
  assert.deepEqual(
    map.servers.map((s) => [s.id, s.role, s.mine, s.cluster]),
    [
      ["u1/db", "standalone", true, "u1/db"],
      ["u2/db", "master", false, "u2/db"],
      ["u2/db-slave-1", "slave", false, "u2/db"],
    ],
  );
  assert.deepEqual(
    map.links.map((l) => [l.source, l.target]),
    [["u2/db", "u2/db-slave-1"]],
  );
});

test("layout: no two servers overlap, masters above their slaves, standalone servers below the clusters", () => {
  const envs: EnvironmentWithNodes[] = [];
  const nodes: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  for (let c = 0; c < 12; c++) {
    nodes.push(node(`m${c}`, null));
    for (let s = 0; s < 3; s++) {
      nodes.push(node(`m${c}-s${s}`, `m${c}`));
      edges.push(edge(`m${c}`, `m${c}-s${s}`));
    }
    nodes.push(node(`m${c}-s0-c`, `m${c}-s0`));
    edges.push(edge(`m${c}-s0`, `m${c}-s0-c`));
  }
  for (let i = 0; i < 40; i++) nodes.push(node(`solo${i}`, null));
  for (const n of nodes) envs.push(env(n.name));
  const map = fleetMap({ nodes, edges, observedAt: 0 }, envs, new Map(), "u1");
  const laid = layoutFleet(map.servers, map.links);
  const frames = laid.frames;
  const positions = new Map([...laid.positions].map(([id, p]) => [id.replace(/^u1\//, ""), p]));
  assert.equal(positions.size, nodes.length);
  const boxes = [...positions.entries()];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, pa] = boxes[i];
      const [b, pb] = boxes[j];
      const apart = Math.abs(pa.x - pb.x) >= NODE_W || Math.abs(pa.y - pb.y) >= NODE_H;
      assert.ok(apart, `${a} overlaps ${b}`);
    }
  for (const e of edges) assert.ok(positions.get(e.from)!.y < positions.get(e.to)!.y, `${e.from} above ${e.to}`);
  const lowestClustered = Math.max(
    ...nodes.filter((n) => !n.name.startsWith("solo")).map((n) => positions.get(n.name)!.y),
  );
  assert.ok(
    Math.min(...nodes.filter((n) => n.name.startsWith("solo")).map((n) => positions.get(n.name)!.y)) > lowestClustered,
  );
  assert.equal(frames.length, 13);
  assert.ok(frames.every((f) => f.w <= 2400 + 2 * NODE_W));
});

test("map filters: problems only keeps each troubled cluster whole", () => {
  const envs = ["a", "a-s", "b"].map((n) => env(n));
  const topology: Topology = {
    nodes: [node("a", null), node("a-s", "a"), node("b", null)],
    edges: [{ ...edge("a", "a-s"), problems: ["SQL thread stopped"] }],
    observedAt: 0,
  };
  const map = fleetMap(topology, envs, new Map(), "u1");
  const shown = filterFleet(map, { q: "", problems: true, owner: "", runtime: "" });
  assert.deepEqual(
    shown.servers.map((s) => s.name),
    ["a", "a-s"],
  );
  assert.equal(shown.links.length, 1);
});

test("looks: concurrent callers share one read, a recent one is reused, an old one refreshed in the background", async () => {
  const e = env("looked", null, { ownerId: "looker" } as Partial<EnvironmentWithNodes>);
  let reads = 0;
  const read = async () => {
    reads++;
    await new Promise((r) => setTimeout(r, 20));
    return replicating(reads);
  };
  const lagOf = (m: Map<string, ServerFacts>) => m.get(e.id)?.slave?.Seconds_Behind_Master;
  const [a, b] = [lookAt(e, { maxAgeMs: 10_000 }, read), lookAt(e, { maxAgeMs: 10_000 }, read)];
  assert.equal(lastLooks([e], 10_000).size, 0, "a read in flight is not shown");
  assert.equal(await a.facts, await b.facts);
  assert.equal(reads, 1);
  assert.equal(await lookAt(e, { maxAgeMs: 0 }, read).facts.then((f) => f?.slave?.Seconds_Behind_Master), 2);
  assert.equal(reads, 2);
  // Older than refreshAfterMs: the caller gets the last read at once, the next one the new read.
  await new Promise((r) => setTimeout(r, 30));
  const stale = lookAt(e, { maxAgeMs: 10_000, refreshAfterMs: 10 }, read);
  assert.equal((await stale.facts)?.slave?.Seconds_Behind_Master, 2);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(reads, 3);
  assert.equal(lagOf(lastLooks([e], 10_000)), 3);
  // An operation of another owner changes nothing; one of this owner's makes the next look read again, while
  // lists keep showing the last facts until then.
  forgetLooks("someone-else");
  await lookAt(e, { maxAgeMs: 10_000 }, read).facts;
  assert.equal(reads, 3);
  forgetLooks("looker");
  assert.equal(lagOf(lastLooks([e], 10_000)), 3);
  const again = lookAt(e, { maxAgeMs: 10_000 }, read);
  assert.equal(lagOf(lastLooks([e], 10_000)), 3, "the previous facts stay shown during the new read");
  assert.equal((await again.facts)?.slave?.Seconds_Behind_Master, 4);
  // A failed read (null) is not kept.
  const nothing = env("unreachable");
  assert.equal(await lookAt(nothing, { maxAgeMs: 10_000 }, async () => null).facts, null);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(lastLooks([nothing], 10_000).size, 0);
});

test("detach: refused for a non-slave, a multi-source slave, and a stopped SQL thread (its relay log would be lost)", () => {
  const slave = (row: Record<string, string>, named = false): TopologyNode => ({
    ...node("s", "m"),
    facts: {
      slave: row,
      connections: [{ name: "", status: row }, ...(named ? [{ name: "west", status: row }] : [])],
    } as unknown as ServerFacts,
  });
  const judge = (n: TopologyNode) => detachRefusal({ nodes: [n], edges: [], observedAt: 0 }, "s");
  assert.equal(judge(slave({ Slave_SQL_Running: "Yes" })), null);
  assert.match(judge(node("s", null))!, /does not replicate from anyone/);
  assert.match(judge(node("s", null, false))!, /not running/);
  assert.match(judge(slave({ Slave_SQL_Running: "Yes" }, true))!, /named connections 'west'/);
  assert.match(
    judge(slave({ Slave_SQL_Running: "No", Last_SQL_Error: "Duplicate entry" }))!,
    /SQL thread is not running \(Duplicate entry\): what it received would be lost/,
  );
});

test("looks: at most 16 servers are read at once, and every read is done", async () => {
  let now = 0;
  let most = 0;
  const read = async () => {
    most = Math.max(most, ++now);
    await new Promise((r) => setTimeout(r, 5));
    now--;
    return replicating(0);
  };
  const many = Array.from({ length: 40 }, (_, i) => env(`many${i}`));
  const facts = await Promise.all(many.map((e) => lookAt(e, { maxAgeMs: 0 }, read).facts));
  assert.equal(facts.filter(Boolean).length, 40);
  assert.equal(most, 16);
});
