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
    await assert.rejects(inspectDump(d.file, d.sha256), (e: { code?: string; lines?: string[] }) => e.code === "unsafe_dump" && (e.lines ?? []).some((l) => line.test(l)));
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
