import assert from "node:assert/strict";
import { test } from "node:test";
import { diffLines } from "../../lib/mycnf/diff";
import { getServerOption, parseMyCnf, setServerOptions } from "../../lib/mycnf/parse";
import { locateServerError, reviewConfig } from "../../lib/mycnf/validate";

const wiring = {
  datadir: "/n/data",
  socket: "/n/s",
  "pid-file": "/n/p",
  "log-error": "/n/e",
  "bind-address": "127.0.0.2",
  port: "3306",
};
const policy = { nodeDir: "/n", shippedPlugins: new Set(["ha_connect.so"]) };
const base = `# hello
[mysqld]
datadir = /n/data
socket = /n/s
pid-file = /n/p
log-error = /n/e
bind-address = 127.0.0.2
port = 3306
server-id = 1
skip-name-resolve = ON

[client]
port = 3306
`;

test("parse keeps lines and understands sections, dashes/underscores and loose- prefixes", () => {
  const lines = parseMyCnf(base + "loose_innodb_buffer_pool_size = '64M'\n");
  assert.equal(lines.length, base.split("\n").length + 1);
  assert.equal(getServerOption(base, "server_id"), "1");
  assert.equal(getServerOption(base.replace("[client]", "[mariadb]"), "port"), "3306");
});

test("setServerOptions edits in place, appends to [mysqld], removes with null, keeps comments", () => {
  const out = setServerOptions(base, { "server-id": "7", "log-bin": "mysql-bin", "skip-name-resolve": null });
  assert.match(out, /^# hello/);
  assert.match(out, /server-id = 7/);
  assert.match(out, /log-bin = mysql-bin\n\n\[client\]/);
  assert.doesNotMatch(out, /skip-name-resolve/);
  assert.match(out, /\[client\]\nport = 3306/, "client section untouched");
});

test("review: managed keys are re-asserted with a message, server-id is read, risky options warned", () => {
  const edited =
    base.replace("bind-address = 127.0.0.2", "bind-address = 0.0.0.0").replace("port = 3306\nserver-id", "server-id") +
    "[mysqld]\nbinlog_format = STATEMENT\nslave-skip-errors = all\n";
  const r = reviewConfig(
    edited.replace("server-id = 1", "server-id = 2").replace("[client]\nport = 3306\n", ""),
    wiring,
    1,
    policy,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.serverId, 2);
  assert.match(r.content, /bind-address = 127\.0\.0\.2/);
  assert.ok(r.notices.some((n) => n.startsWith("bind-address is managed by Mariner: kept 127.0.0.2")));
  assert.ok(r.notices.some((n) => n.startsWith("port is managed by Mariner: restored 3306")));
  assert.equal(r.warnings.length, 2);
});

test("review: syntax errors, includes, forbidden options and bad server-ids are errors with line numbers", () => {
  const r = reviewConfig(
    base + "[mysqld]\nthis is not an option\n!include /etc/passwd\nskip-networking\nserver-id = abc\n[broken\n",
    wiring,
    1,
    policy,
  );
  assert.deepEqual(
    r.errors.map((e) => e.line),
    [15, 16, 19, 12, 17, 18], // syntax problems in line order, then the policy ([client], skip-networking), then server-id
  );
  assert.equal(reviewConfig("x".repeat(70_000), wiring, 1, policy).errors.length, 1);
  assert.equal(reviewConfig("a\0b", wiring, 1, policy).errors.length, 1);
});

test("mariadbd's own complaint is located on its line", () => {
  const text = base + "[mysqld]\nfoo-bar = 1\n";
  const p = locateServerError(text, "2026-11-27  1:45:12 0 [ERROR] mariadbd: unknown variable 'foo-bar=1'");
  assert.equal(p.line, 15);
  assert.equal(p.message, "[ERROR] mariadbd: unknown variable 'foo-bar=1'");
  assert.equal(
    locateServerError(
      text + "binlog_format = bogus\n",
      "x y 0 [ERROR] mariadbd: Error while setting value 'bogus' to 'binlog_format'",
    ).line,
    16,
  );
});

test("line diff marks additions and removals", () => {
  const d = diffLines("a\nb\nc", "a\nc\nd");
  assert.deepEqual(
    d.map((l) => l.op + l.text),
    [" a", "-b", " c", "+d"],
  );
});

test("repeatable options are replaced as a list", async () => {
  const { setServerOptionList } = await import("../../lib/mycnf/parse");
  const once = setServerOptionList(base + "[mysqld]\nreplicate-do-db = old\n", "replicate-do-db", ["sales", "hr"]);
  assert.doesNotMatch(once, /= old/);
  assert.match(once, /replicate-do-db = sales\nreplicate-do-db = hr/);
  assert.doesNotMatch(setServerOptionList(once, "replicate-do-db", []), /replicate-do-db/);
});
