import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { test } from "node:test";
import { inspectDump, missingDatabases } from "../../lib/backups/guard";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-guard-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

function dump(text: string) {
  const file = path.join(dir, `${crypto.randomBytes(4).toString("hex")}.sql.gz`);
  const gz = zlib.gzipSync(text);
  fs.writeFileSync(file, gz);
  return { file, sha256: crypto.createHash("sha256").update(gz).digest("hex") };
}

const header = "-- MariaDB dump\n/*!40101 SET NAMES utf8mb4 */;\n";

test("a mariadb-dump style file: databases it creates are listed, USE of them is fine", async () => {
  const d = dump(
    header +
      "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `app` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\nUSE `app`;\nINSERT INTO `t` VALUES (1,'USE mysql;\\nline');\n" +
      "CREATE DATABASE IF NOT EXISTS `we``ird`;\nUSE `we``ird`;\nCREATE SCHEMA other;\nUSE other;\n",
  );
  const r = await inspectDump(d.file, d.sha256);
  assert.deepEqual(r.databases, ["app", "we`ird", "other"]);
  assert.equal(r.sha256, d.sha256);
});

test("USE of a system schema or of a database the dump does not create is refused with the line", async () => {
  for (const [text, line] of [
    ["CREATE DATABASE a;\nUSE a;\nUSE mysql;\n", /line 3: USE mysql \(a system schema\)/],
    ["CREATE DATABASE a;\nUSE `other_db`;\n", /line 2: USE other_db, a database this dump does not create/],
    ["CREATE DATABASE `sys`;\n", /creates system schema sys/],
    ["use Performance_Schema;\n", /system schema/],
  ] as const) {
    const d = dump(text);
    await assert.rejects(
      inspectDump(d.file, d.sha256),
      (e: { code?: string; lines?: string[] }) => e.code === "unsafe_dump" && (e.lines ?? []).some((l) => line.test(l)),
    );
  }
});

test("a file whose checksum differs from the recorded one, or that is not gzip, is refused", async () => {
  const d = dump("CREATE DATABASE a;\n");
  await assert.rejects(inspectDump(d.file, "0".repeat(64)), (e: { code?: string }) => e.code === "corrupt_backup");
  fs.writeFileSync(d.file, "not gzip at all");
  await assert.rejects(inspectDump(d.file, null), (e: { code?: string }) => e.code === "corrupt_backup");
});

test("missing databases: existed before and after the dump, yet not in it", () => {
  assert.deepEqual(missingDatabases(["a", "b", "c"], ["a", "b", "c", "d"], ["a", "c"]), ["b"]);
  assert.deepEqual(missingDatabases(["a", "gone"], ["a"], ["a"]), [], "dropped during the dump is not missing");
  assert.deepEqual(missingDatabases(["a"], ["a", "new"], ["a"]), [], "created after the snapshot is not missing");
});

test("stored-program bodies between DELIMITER lines are not statements of the dump", async () => {
  const d = dump(
    "CREATE DATABASE app;\nUSE `app`;\nDELIMITER ;;\nCREATE DEFINER=`root`@`localhost` PROCEDURE `p`()\nBEGIN\n  -- use the other table\nuse_this: LOOP LEAVE use_this; END LOOP;\n  UPDATE mysql.foo SET x = 1;\nEND ;;\nDELIMITER ;\nINSERT INTO `t` VALUES (1);\n",
  );
  assert.deepEqual((await inspectDump(d.file, d.sha256)).databases, ["app"]);
});

test("system-table writes, account changes, root/console accounts and server administration are refused", async () => {
  const cases: [string, RegExp][] = [
    ["UPDATE mysql.global_priv SET Priv = '{}' WHERE User = 'root';", /writes into a system table/],
    ["INSERT INTO `mysql`.`user` VALUES ();", /writes into a system table/],
    ["/*!40000 DELETE FROM mysql.db */;", /writes into a system table/],
    ["DROP DATABASE IF EXISTS `mysql`;", /drops a system schema/],
    ["ALTER USER root@localhost IDENTIFIED BY 'x';", /changes existing accounts/],
    ["SET PASSWORD FOR 'app'@'%' = PASSWORD('x');", /changes existing accounts/],
    ["DROP USER `app`@`%`;", /changes existing accounts/],
    ["CREATE USER IF NOT EXISTS `root`@`%` IDENTIFIED BY 'x';", /account root/],
    ["GRANT ALL ON *.* TO 'mariner_repl'@'%';", /account mariner_repl/],
    ["SET GLOBAL read_only = 0;", /server administration/],
    ["CHANGE MASTER TO MASTER_HOST='evil';", /server administration/],
    ["STOP SLAVE;", /server administration/],
    ["INSTALL SONAME 'ha_connect';", /server administration/],
  ];
  for (const [statement, expected] of cases) {
    const d = dump(`CREATE DATABASE app;\nUSE app;\n${statement}\n`);
    await assert.rejects(
      inspectDump(d.file, d.sha256),
      (e: { code?: string; lines?: string[] }) =>
        e.code === "unsafe_dump" && (e.lines ?? []).some((l) => /^line 3: /.test(l) && expected.test(l)),
      statement,
    );
  }
  // What mariadb-dump and the console's account statements really write passes.
  const ok = dump(
    "/*M!999999\\- enable the sandbox mode */\n/*!40101 SET NAMES utf8mb4 */;\n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', MASTER_LOG_POS=328;\n-- SET GLOBAL gtid_slave_pos='0-1-5';\n" +
      "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `app`;\nUSE `app`;\nDROP TABLE IF EXISTS `t`;\nCREATE TABLE `t` (id INT);\n/*!40000 ALTER TABLE `t` DISABLE KEYS */;\nINSERT INTO `t` VALUES (1);\n" +
      "CREATE USER IF NOT EXISTS `app`@`%` IDENTIFIED BY PASSWORD '*ABC';\nGRANT SELECT, INSERT ON `app`.* TO `app`@`%`;\n",
  );
  assert.deepEqual((await inspectDump(ok.file, ok.sha256)).databases, ["app"]);
});

test("a stored-program body that smuggles a statement after the delimiter is refused", async () => {
  const smuggled = dump(
    "CREATE DATABASE app;\nUSE `app`;\nDELIMITER ;;\nCREATE DEFINER=`root`@`localhost` PROCEDURE `p`()\nBEGIN\n  SELECT 1;\nEND ;;\nUPDATE mysql.global_priv SET Priv = '{}' ;;\nDELIMITER ;\n",
  );
  await assert.rejects(
    inspectDump(smuggled.file, smuggled.sha256),
    (e: { code?: string; lines?: string[] }) =>
      e.code === "unsafe_dump" && (e.lines ?? []).some((l) => /^line 8: .*not a stored program/.test(l)),
  );
  const sameLine = dump(
    "CREATE DATABASE app;\nUSE app;\nDELIMITER ;;\nCREATE PROCEDURE p() SELECT 1 ;; GRANT ALL ON *.* TO x@'%' ;;\nDELIMITER ;\n",
  );
  await assert.rejects(inspectDump(sameLine.file, sameLine.sha256), (e: { code?: string }) => e.code === "unsafe_dump");
  const trigger = dump(
    "CREATE DATABASE app;\nUSE app;\nDELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW BEGIN\n  INSERT INTO audit VALUES (NEW.id);\nEND */;;\nDELIMITER ;\n",
  );
  assert.deepEqual((await inspectDump(trigger.file, trigger.sha256)).databases, ["app"]);
});

test("account names are matched from their start: approot and webroot are ordinary accounts", async () => {
  const d = dump(
    "CREATE DATABASE app;\nCREATE USER IF NOT EXISTS `approot`@`%` IDENTIFIED BY PASSWORD '*A';\nGRANT SELECT ON `app`.* TO 'webroot'@'%';\nGRANT SELECT ON `app`.* TO `x_mariner_y`@`%`;\n",
  );
  assert.deepEqual((await inspectDump(d.file, d.sha256)).databases, ["app"]);
  for (const statement of [
    "GRANT ALL ON *.* TO CURRENT_USER;",
    "REVOKE ALL PRIVILEGES, GRANT OPTION FROM `app`@`%`;",
    "INSERT mysql.user VALUES ();",
    "UPDATE LOW_PRIORITY mysql.db SET x = 1;",
    "SET STATEMENT max_statement_time = 1 FOR UPDATE mysql.db SET x = 1;",
    "EXECUTE IMMEDIATE 'DROP USER root';",
  ]) {
    const bad = dump(`CREATE DATABASE app;\n${statement}\n`);
    await assert.rejects(
      inspectDump(bad.file, bad.sha256),
      (e: { code?: string }) => e.code === "unsafe_dump",
      statement,
    );
  }
});
