import assert from "node:assert/strict";
import { test } from "node:test";
import { nativePasswordHash, provisionSql } from "../../lib/runtime/provision-sql";

test("the stored form of a password is mysql_native_password's (MariaDB's PASSWORD('abc'))", () => {
  assert.equal(nativePasswordHash("abc"), "*0D3CED9BEC10A777AEC23CCC353A8C08A633045E");
});

test("the first-start SQL holds the hash, never the password, one statement per line", () => {
  const sql = provisionSql("Secret'Pass-1", true);
  assert.doesNotMatch(sql, /Secret/);
  assert.match(sql, new RegExp(`'root'@'%' IDENTIFIED BY PASSWORD '\\${nativePasswordHash("Secret'Pass-1")}'`));
  for (const line of sql.split("\n").filter(Boolean)) assert.match(line, /;$/);
  assert.doesNotMatch(provisionSql("x", false), /'root'@'%'/);
});
