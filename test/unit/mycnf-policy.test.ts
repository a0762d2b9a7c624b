import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMyCnf } from "../../lib/mycnf/parse";
import { isServerGroup, judgeOption, policyProblems } from "../../lib/mycnf/policy";
import { abbreviations, judgeServerReading, resolvedVariables } from "../../lib/mycnf/server-reading";

const ctx = { nodeDir: "/n", shippedPlugins: new Set(["ha_connect.so", "server_audit.so"]) };

/** Every probe line of the option table: [option as written, value, refused?]. */
const LINES: [string, string | null, boolean][] = [
  ["skip-grant-tables", null, true],
  ["skip_grant_tables", "1", true],
  ["loose-skip-grant-tables", null, true],
  ["loose-loose-skip-grant-tables", null, true],
  ["enable-skip-grant-tables", null, true],
  ["maximum-skip-grant-tables", "1", true],
  ["SKIP-GRANT-TABLES", null, true],
  ["skip-networking", null, true],
  ["disable-networking", null, true],
  ["init-file", "/etc/passwd", true],
  ["init_file", "data/x.sql", true],
  ["plugin-dir", "/n/files", false], // managed: re-asserted by the review, not refused
  ["loose-plugin-dir", "/n/files", false],
  ["skip-plugin-dir", null, true],
  ["enable-secure-file-priv", "", true],
  ["maximum-secure-file-priv", "/", true],
  ["skip-bind-address", null, true],
  ["plugin-load-add", "ha_connect.so", false],
  ["plugin-load-add", "ha_connect", false],
  ["plugin-load-add", "connect=ha_connect.so", false],
  ["plugin-load-add", "/n/files/evil.so", true],
  ["plugin-load-add", "../../tmp/evil.so", true],
  ["plugin_load", "evil.so", true],
  ["loose-plugin-load-add", "x=evil.so;y=ha_connect.so", true],
  ["general-log-file", "general.log", false],
  ["general-log-file", "/n/data/general.log", false],
  ["general_log_file", "/etc/cron.d/x", true],
  ["general-log-file", "../my.cnf", true],
  ["slow-query-log-file", "/n/files/slow.log", true],
  ["log-bin", "mysql-bin", false],
  ["log_bin", "/tmp/bin", true],
  ["skip-log-bin", null, false],
  ["relay-log", "/n/../x/relay", true],
  ["innodb-data-home-dir", "/var/lib/mysql", true],
  ["innodb_log_group_home_dir", "/n/data", false],
  ["aria-log-dir-path", "/tmp", true],
  ["ssl-key", "/n/tls/server-key.pem", false],
  ["ssl-key", "/work/.mariner/secret.key", true],
  ["ssl_ca", "/n/../ca/ca.crt", true],
  ["innodb-data-file-path", "ibdata1:12M:autoextend", false],
  ["innodb-data-file-path", "/etc/x:10M", true],
  ["log-basename", "../../tmp/x", true],
  ["log-basename", "node1", false],
  ["wsrep-provider", "/n/files/evil.so", true],
  ["wsrep_provider", "/usr/lib/galera/libgalera_smm.so", false],
  ["wsrep-provider", "none", false],
  ["wsrep-notify-cmd", "/bin/sh", true],
  ["wsrep-sst-method", "../../bin/evil", true],
  ["allow-suspicious-udfs", null, true],
  ["chroot", "/n", true],
  ["basedir", "/n", true],
  ["character-sets-dir", "/n/files", true],
  ["debug", "d:t:o,/etc/x", true],
  ["extra-port", "3307", true],
  ["innodb-buffer-pool-size", "64M", false],
  ["max-connections", "100", false],
  ["binlog-format", "mixed", false],
  ["skip-name-resolve", "ON", false],
];

for (const [key, value, refused] of LINES) {
  test(`policy: ${key}${value === null ? "" : ` = ${value}`} → ${refused ? "refused" : "allowed"}`, () => {
    const verdict = judgeOption(key, value, ctx);
    assert.equal(verdict !== null, refused, verdict ?? "allowed");
  });
}

test("policy: every group mariadbd 10.11 reads is a server group; other groups are refused with their line", () => {
  for (const g of ["mysqld", "server", "mysqld-10.11", "mariadb", "mariadb-10.11", "mariadbd", "mariadbd-10.11", "client-server", "galera"]) {
    assert.ok(isServerGroup(g), g);
  }
  const text = "[client-server]\nskip-grant-tables\n[galera]\nwsrep-notify-cmd = /bin/sh\n[client]\nport = 1\n[mariadbd-10.11]\ninit-file=/x\n";
  assert.deepEqual(
    policyProblems(parseMyCnf(text), ctx).map((p) => p.line),
    [2, 4, 5, 8],
  );
});

const HELP = `Usage
Variables (--variable-name=value)
and boolean options {FALSE|TRUE}                             Value (after reading options)
------------------------------------------------------------ -------------
datadir                                                      /n/data/
general-log-file                                             vm.log
init-file                                                    (No default value)
plugin-dir                                                   /usr/lib/mysql/plugin/
secure-file-priv                                             /n/files/
skip-grant-tables                                            FALSE
basedir                                                      /usr/
wsrep-provider                                               none
`;
const managed = { datadir: "/n/data", "plugin-dir": "/usr/lib/mysql/plugin", "secure-file-priv": "/n/files" };

test("server reading: the binary's resolved values are parsed and a clean reading passes", () => {
  const values = resolvedVariables(HELP);
  assert.equal(values.get("init-file"), "");
  assert.equal(values.get("secure-file-priv"), "/n/files/");
  assert.deepEqual(judgeServerReading(HELP, "", managed, ctx), []);
});

test("server reading: abbreviations, overridden managed values, switches turned on and paths outside are caught", () => {
  const notes = "2026-12-03  8:36:05 0 [Note] Using unique option prefix 'init-fil' is error-prone and can break in the future. Please use the full name 'init_file' instead.";
  assert.deepEqual(abbreviations(notes), [{ written: "init-fil", full: "init_file" }]);
  const bad = HELP.replace("/n/files/", "/")
    .replace("skip-grant-tables                                            FALSE", "skip-grant-tables                                            TRUE")
    .replace("init-file                                                    (No default value)", "init-file                                                    /etc/passwd")
    .replace("vm.log", "/etc/cron.d/x");
  const problems = judgeServerReading(bad, notes, managed, ctx).map((p) => p.message);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.ok(problems[0].includes('"init-fil" abbreviates init-file'));
  assert.ok(problems.some((p) => p.startsWith("secure-file-priv resolves to")));
  assert.ok(problems.some((p) => p.startsWith("skip-grant-tables resolves to")));
  assert.ok(problems.some((p) => p.startsWith("init-file resolves to")));
  assert.ok(problems.some((p) => p.startsWith("general-log-file resolves to")));
  assert.ok(judgeServerReading("no table", "", managed, ctx).length === 1, "no resolved values: refused, not passed");
});
