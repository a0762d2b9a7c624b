import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMyCnf } from "../../lib/mycnf/parse";
import { isServerGroup, judgeOption, policyProblems } from "../../lib/mycnf/policy";
import { GALERA_MANAGED, withManagedSst, withoutSst } from "../../lib/galera/settings";
import { abbreviations, groupsRead, judgeServerReading, resolvedVariables } from "../../lib/mycnf/server-reading";

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
  ["wsrep_provider", "/usr/lib/galera/libgalera_smm.so", true],
  ["wsrep-on", "1", true],
  ["feedback-url", "http://10.0.0.1/", true],
  ["ft-stopword-file", "/work/.mariner/secret.key", true],
  ["ft_stopword_file", "stopwords.txt", false],
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
  // How a Galera member starts and where its state lives are the console's, on every server.
  ["wsrep-new-cluster", null, true],
  ["loose-wsrep_new_cluster", "1", true],
  ["wsrep-recover", null, true],
  ["wsrep-start-position", "00000000-0000-0000-0000-000000000000:5", true],
  ["wsrep-data-home-dir", "data", true],
];

for (const [key, value, refused] of LINES) {
  test(`policy: ${key}${value === null ? "" : ` = ${value}`} → ${refused ? "refused" : "allowed"}`, () => {
    const verdict = judgeOption(key, value, ctx);
    assert.equal(verdict !== null, refused, verdict ?? "allowed");
  });
}

test("parse: lines mariadbd would read differently (over 1 kB, control characters, backslash escapes) are invalid", () => {
  const lines = parseMyCnf(
    `[mysqld]\n# ${"x".repeat(1100)}\nwsrep-sst-donor = "a\\nb"\nmax-connections = 5\x0b\nport = 3306\r\n`,
  );
  assert.deepEqual(
    lines.filter((l) => l.kind === "invalid").map((l) => l.n),
    [2, 3, 4],
  );
});

test("policy: every group mariadbd 10.11 reads is a server group; other groups are refused with their line", () => {
  for (const g of [
    "mysqld",
    "server",
    "mysqld-10.11",
    "mariadb",
    "mariadb-10.11",
    "mariadbd",
    "mariadbd-10.11",
    "client-server",
    "galera",
  ]) {
    assert.ok(isServerGroup(g), g);
  }
  const text =
    "[client-server]\nskip-grant-tables\n[galera]\nwsrep-notify-cmd = /bin/sh\n[client]\nport = 1\n[mariadbd-10.11]\ninit-file=/x\n";
  assert.deepEqual(
    policyProblems(parseMyCnf(text), ctx).map((p) => p.line),
    [2, 4, 5, 8],
  );
});

const HELP = `Usage
The following groups are read: mysqld server mysqld-10.11 mariadb mariadb-10.11 mariadbd mariadbd-10.11 client-server galera
  --datadir=name      Path to the database root directory
  --general-log-file=name
  --init-file=name    Read SQL commands from this file at startup
  --plugin-dir=name   Directory for plugins
  --plugin-load-add=name
  --secure-file-priv=name
  --skip-grant-tables Start without grant tables.
  --log-warnings[=#]
  --wsrep-notify-cmd=name
  --max-connections=#
  --user=name
  --basedir=name
  --wsrep-provider=name

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
  const values = resolvedVariables(HELP)!;
  assert.equal(values.get("init-file"), "");
  assert.equal(values.get("secure-file-priv"), "/n/files/");
  assert.deepEqual(groupsRead(HELP), [
    "mysqld",
    "server",
    "mysqld-10.11",
    "mariadb",
    "mariadb-10.11",
    "mariadbd",
    "mariadbd-10.11",
    "client-server",
    "galera",
  ]);
  const args = [
    "--datadir=/n/data",
    "--secure-file-priv=/n/files",
    "--max_connections=60",
    "--loose-max-connections=61",
    "--skip-grant-tables=0",
  ];
  assert.deepEqual(judgeServerReading(HELP, "", args.slice(0, 4), managed, ctx), []);
});

test("server reading: abbreviations, overridden managed values, switches turned on and paths outside are caught", () => {
  const notes =
    "2026-12-03  8:36:05 0 [Note] Using unique option prefix 'init-fil' is error-prone and can break in the future. Please use the full name 'init_file' instead.";
  assert.deepEqual(abbreviations(notes), [{ written: "init-fil", full: "init_file" }]);
  const bad = HELP.replace("/n/files/", "/")
    .replace(
      "skip-grant-tables                                            FALSE",
      "skip-grant-tables                                            TRUE",
    )
    .replace(
      "init-file                                                    (No default value)",
      "init-file                                                    /etc/passwd",
    )
    .replace("vm.log", "/etc/cron.d/x");
  const problems = judgeServerReading(bad, notes, [], managed, ctx).map((p) => p.message);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.ok(problems[0].includes('"init-fil" abbreviates init-file'));
  assert.ok(problems.some((p) => p.startsWith("secure-file-priv resolves to")));
  assert.ok(problems.some((p) => p.startsWith("skip-grant-tables resolves to")));
  assert.ok(problems.some((p) => p.startsWith("init-file resolves to")));
  assert.ok(problems.some((p) => p.startsWith("general-log-file resolves to")));
  assert.ok(
    judgeServerReading("no table", "", [], managed, ctx).length === 1,
    "no resolved values: refused, not passed",
  );
});

test("server reading: what my_print_defaults reads is judged, even with warnings off, hidden lines or smuggled table rows", () => {
  // log-warnings = 0 silences the abbreviation note: the names themselves must be full.
  const quiet = judgeServerReading(
    HELP,
    "",
    ["--log-warnings=0", "--wsrep-notify-c=sh -c id", "--based=/n/files"],
    managed,
    ctx,
  );
  assert.deepEqual(
    quiet.map((p) => p.option),
    ["wsrep-notify-c", "based"],
  );
  // A line the text review never saw (hidden past 4 kB, or included) still reaches the policy here.
  const hidden = judgeServerReading(
    HELP,
    "",
    ["--plugin-dir=/n/files", "--plugin-load-add=/n/files/evil.so", "--user=root"],
    managed,
    ctx,
  );
  assert.equal(hidden.length, 3, hidden.map((p) => p.message).join("\n"));
  assert.ok(hidden.some((p) => p.message.startsWith("plugin-dir is read as")));
  // A value that prints a line break forges rows of the variables table: a name twice is refused.
  const forged = HELP + "secure-file-priv                                             /n/files/\n";
  assert.equal(resolvedVariables(forged), null);
  assert.ok(judgeServerReading(forged, "", [], managed, ctx).some((p) => p.message.includes("several lines")));
});

test("policy: a Galera member's wsrep settings are managed (any spelling of them); nothing else opens up", () => {
  const member = { ...ctx, alsoManaged: GALERA_MANAGED };
  for (const [key, value] of [
    ["wsrep_on", "TRUE"],
    ["wsrep-provider", "/usr/lib/galera/libgalera_smm.so"],
    ["loose-wsrep_cluster_address", "gcomm://10.0.0.9:4567"],
    ["wsrep-provider-options", "gmcast.listen_addr=tcp://0.0.0.0:4567"],
  ] as const)
    assert.equal(judgeOption(key, value, member), null, `${key} is re-asserted, not refused`);
  for (const key of ["skip-wsrep-on", "disable-wsrep-sst-auth", "maximum-wsrep-cluster-address"])
    assert.match(judgeOption(key, "1", member) ?? "", /Mariner manages/, key);
  for (const [key, value] of [
    ["wsrep-notify-cmd", "/bin/sh"],
    ["wsrep-new-cluster", null],
    ["init-file", "/etc/passwd"],
  ] as const)
    assert.ok(judgeOption(key, value, member), `${key} stays refused on a member`);
  // Outside a cluster the same settings stay refused.
  assert.ok(judgeOption("wsrep-on", "TRUE", ctx));
});

test("review: a member's [sst] group is the console's alone: a tenant's (its keys run as commands) is replaced", () => {
  const text = '[mysqld]\nmax_connections = 5\n[SST]\ncompressor = "touch /tmp/x"\nsockopt = ",bind=0.0.0.0"\n';
  const out = withManagedSst(text, "127.0.0.7");
  assert.doesNotMatch(out, /compressor|0\.0\.0\.0/);
  // First in the file: lines a person adds at the end stay in [mysqld].
  assert.match(out, /^\[sst\]\n# Managed by Mariner[^\n]*\nsockopt = ",bind=127\.0\.0\.7"\n\n\[mysqld\]/);
  assert.match(withoutSst(out + "max_connections = 9\n"), /max_connections = 9/);
  assert.equal(withManagedSst(out, "127.0.0.7"), out, "applying it twice changes nothing");
  assert.deepEqual(
    policyProblems(parseMyCnf(withoutSst(text)), ctx).map((p) => p.message),
    [],
    "the review sees no [sst] group",
  );
  assert.equal(policyProblems(parseMyCnf(text), ctx).length, 1, "outside a member, [sst] is refused");
});

test("policy: on a Galera node (read by the SST script's shell) a value may not carry shell syntax", () => {
  const member = { ...ctx, alsoManaged: GALERA_MANAGED, readByShell: true };
  const text = [
    "[mysqld]",
    "innodb_buffer_pool_size = 128M$(touch${IFS}/tmp/pwn)",
    "max_connections = 100`id`",
    "log_basename = a;b",
    "wsrep_provider_options = gmcast.listen_addr=tcp://127.0.0.2:4567;ist.recv_addr=127.0.0.2:4568",
    "sql_mode = STRICT_TRANS_TABLES,NO_ZERO_DATE",
    "",
  ].join("\n");
  assert.deepEqual(
    policyProblems(parseMyCnf(text), member).map((p) => p.line),
    [2, 3, 4],
    "the console's own wsrep-provider-options (with its ;) and plain values pass",
  );
  assert.match(
    policyProblems(parseMyCnf(text), member)[0].message,
    /state-transfer script reads my\.cnf through a shell/,
  );
  // Not a Galera node: no shell reads the file, only the option table applies.
  assert.deepEqual(
    policyProblems(parseMyCnf(text), ctx).map((p) => p.line),
    [],
  );
});
