import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryProfile } from "../../lib/mycnf/profile";
import { renderInitialMyCnf } from "../../lib/mycnf/render";

const wiring = {
  datadir: "/d/data",
  socket: "/d/s.sock",
  pidFile: "/d/p.pid",
  logError: "/d/e.log",
  tmpdir: "/d/tmp",
  bindAddress: "127.0.0.7",
  port: 3306,
  serverId: 42,
  secureFilePriv: "/d/files",
  pluginDir: "/usr/lib/mysql/plugin",
};

test("generated my.cnf carries the node wiring and never resolves client names", () => {
  const cnf = renderInitialMyCnf(wiring, 256);
  for (const line of [
    "[mysqld]",
    "datadir = /d/data",
    "bind-address = 127.0.0.7",
    "server-id = 42",
    "skip-name-resolve = ON",
    "secure-file-priv = /d/files",
    "plugin-dir = /usr/lib/mysql/plugin",
  ]) {
    assert.ok(cnf.includes(line), line);
  }
  assert.doesNotMatch(cnf, /^user\s*=/m, "the server runs as its own uid, not as root");
});

test("memory profile scales with the limit and stays small for small limits", () => {
  assert.equal(memoryProfile(256).innodb_buffer_pool_size, "64M");
  assert.equal(memoryProfile(256).performance_schema, "OFF");
  assert.equal(memoryProfile(128).innodb_buffer_pool_size, "32M");
  assert.equal(memoryProfile(4096).innodb_buffer_pool_size, "1024M");
  assert.equal(memoryProfile(4096).performance_schema, "ON");
  assert.ok(Number.parseInt(memoryProfile(100).innodb_buffer_pool_size) >= 16);
});
