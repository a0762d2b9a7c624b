import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createUserSql,
  escape,
  escapeId,
  grantDatabase,
  grantPlan,
  levelOf,
  PRIVILEGES,
  ungrantDatabase,
} from "../../lib/accounts/privileges";

test("each level is read back as itself; one privilege more or less is custom, none is none", () => {
  for (const [level, privileges] of Object.entries(PRIVILEGES)) {
    assert.equal(levelOf([...privileges].reverse()), level);
    assert.equal(levelOf([...privileges, "GRANT OPTION"]), "custom");
    assert.equal(levelOf(privileges.slice(1)), "custom");
  }
  assert.equal(levelOf([]), "none");
  assert.ok(
    !Object.values(PRIVILEGES)
      .flat()
      .some((p) => ["FILE", "SUPER", "PROCESS", "GRANT OPTION"].includes(p)),
  );
});

test("plans: revoke what is held before granting the new level; nothing to do when equal", () => {
  assert.deepEqual(grantPlan("app", "%", "shop", [], "read-only"), [
    "GRANT SELECT, SHOW VIEW ON `shop`.* TO 'app'@'%'",
  ]);
  assert.deepEqual(grantPlan("app", "10.0.%", "shop", ["SELECT", "GRANT OPTION"], "all"), [
    "REVOKE GRANT OPTION ON `shop`.* FROM 'app'@'10.0.%'",
    "REVOKE ALL PRIVILEGES ON `shop`.* FROM 'app'@'10.0.%'",
    "GRANT ALL PRIVILEGES ON `shop`.* TO 'app'@'10.0.%'",
  ]);
  assert.deepEqual(grantPlan("app", "%", "shop", PRIVILEGES.ddl, "none"), [
    "REVOKE ALL PRIVILEGES ON `shop`.* FROM 'app'@'%'",
  ]);
  assert.deepEqual(grantPlan("app", "%", "shop", PRIVILEGES.all, "all"), []);
  assert.deepEqual(grantPlan("app", "%", "shop", ["GRANT OPTION"], "none"), [
    "REVOKE GRANT OPTION ON `shop`.* FROM 'app'@'%'",
  ]);
});

test("wildcards in a database name are escaped, so a grant on my_db does not also cover myXdb", () => {
  assert.equal(grantDatabase("my_db%"), "my\\_db\\%");
  assert.equal(ungrantDatabase(grantDatabase("my_db%")), "my_db%");
  assert.match(grantPlan("a", "%", "my_db", [], "read-only")[0], /ON `my\\_db`\.\*/);
});

test("quoting: identifiers double their backticks, strings escape quotes, backslashes and control bytes", () => {
  assert.equal(escapeId("a`b"), "`a``b`");
  assert.equal(escape("it's \\ \n\0"), "'it\\'s \\\\ \\n\\0'");
  assert.equal(createUserSql("app", "%", "pa'ss", true), "CREATE USER 'app'@'%' IDENTIFIED BY 'pa\\'ss' REQUIRE SSL");
  assert.equal(createUserSql("app", "%", null, false), "CREATE USER 'app'@'%' IDENTIFIED BY '•••'");
});
