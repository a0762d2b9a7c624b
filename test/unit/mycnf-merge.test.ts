import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeOnTop } from "../../lib/mycnf/merge";

const base = [
  "[mysqld]",
  "datadir = /n/data",
  "port = 3306",
  "server-id = 1",
  "max_connections = 100",
  "",
  "[client]",
  "port = 3306",
  "",
].join("\n");
const edit = (text: string, from: string, to: string) => {
  assert.ok(text.includes(from), `fixture has ${from}`);
  return text.replace(from, to);
};

test("edits of different lines are both kept, in place", () => {
  const mine = edit(base, "max_connections = 100", "max_connections = 55");
  const theirs = edit(base, "server-id = 1", "server-id = 7\nlog-bin = mysql-bin");
  const merged = mergeOnTop(base, mine, theirs);
  assert.ok(merged.ok);
  assert.equal(
    merged.text,
    edit(
      edit(base, "max_connections = 100", "max_connections = 55"),
      "server-id = 1",
      "server-id = 7\nlog-bin = mysql-bin",
    ),
  );
});

test("an addition at the end and a change at the top merge", () => {
  const mine = base + "wait_timeout = 60\n";
  const theirs = edit(base, "[mysqld]", "# tuned\n[mysqld]");
  const merged = mergeOnTop(base, mine, theirs);
  assert.ok(merged.ok);
  assert.ok(merged.text.startsWith("# tuned\n[mysqld]"));
  assert.ok(merged.text.endsWith("wait_timeout = 60\n"));
});

test("two different values for the same line are a conflict with both sides shown", () => {
  const mine = edit(base, "max_connections = 100", "max_connections = 55");
  const theirs = edit(base, "max_connections = 100", "max_connections = 500");
  const merged = mergeOnTop(base, mine, theirs);
  assert.equal(merged.ok, false);
  assert.deepEqual(!merged.ok && merged.conflicts, [
    { line: 5, mine: ["max_connections = 55"], theirs: ["max_connections = 500"] },
  ]);
});

test("two people appending different options at the end: both kept, theirs first", () => {
  const mine = base + "tmp_table_size = 8M\n";
  const theirs = base + "max_connections = 77\n";
  const merged = mergeOnTop(base, mine, theirs);
  assert.ok(merged.ok);
  assert.equal(merged.text, base + "max_connections = 77\ntmp_table_size = 8M\n");
});

test("additions at the same place setting the same option conflict: which value wins would be a guess", () => {
  const mine = edit(base, "port = 3306\nserver-id", "port = 3306\nwait_timeout = 1\nserver-id");
  const theirs = edit(base, "port = 3306\nserver-id", "port = 3306\nwait-timeout = 2\nserver-id");
  assert.equal(mergeOnTop(base, mine, theirs).ok, false);
});

test("the same edit made on both sides is not a conflict and is applied once", () => {
  const both = edit(base, "server-id = 1", "server-id = 9");
  const merged = mergeOnTop(base, both, both);
  assert.ok(merged.ok);
  assert.equal(merged.text, both);
});

test("a deletion next to someone else's change elsewhere merges", () => {
  const mine = edit(base, "max_connections = 100\n", "");
  const theirs = edit(base, "datadir = /n/data", "datadir = /n/data2");
  const merged = mergeOnTop(base, mine, theirs);
  assert.ok(merged.ok);
  assert.ok(!merged.text.includes("max_connections") && merged.text.includes("/n/data2"));
});
