import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { applyMigrations } from "../../lib/db/migrate";

const migrations = path.resolve("prisma/migrations");
const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mariner-migrate-")), "t.db");

test("migrations apply once, are recorded like Prisma does, and edits are refused", () => {
  const file = tmp();
  const first = applyMigrations(file, migrations);
  assert.ok(first.length >= 1);
  assert.deepEqual(applyMigrations(file, migrations), []);
  const db = new Database(file);
  const rows = db.prepare("SELECT migration_name, finished_at, applied_steps_count FROM _prisma_migrations").all() as {
    finished_at: number;
    applied_steps_count: number;
  }[];
  assert.equal(rows.length, first.length);
  assert.ok(rows.every((r) => r.finished_at && r.applied_steps_count === 1));
  db.close();

  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-migs-"));
  fs.cpSync(migrations, copy, { recursive: true });
  const edited = path.join(copy, first[0], "migration.sql");
  fs.appendFileSync(edited, "\n-- edited\n");
  assert.throws(() => applyMigrations(file, copy), /edited after it was applied/);
});

/** Drift guard: every model/field in schema.prisma exists as a table/column with the same nullability. */
test("the migrated schema matches schema.prisma", () => {
  const file = tmp();
  applyMigrations(file, migrations);
  const db = new Database(file);
  const schema = fs.readFileSync("prisma/schema.prisma", "utf8");
  const scalar = new Set(["String", "Int", "DateTime", "Boolean", "Float", "BigInt", "Json", "Bytes", "Decimal"]);
  let checked = 0;
  for (const [, model, body] of schema.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)) {
    const columns = new Map(
      (db.prepare(`PRAGMA table_info("${model}")`).all() as { name: string; notnull: number }[]).map((c) => [
        c.name,
        c,
      ]),
    );
    assert.ok(columns.size > 0, `table ${model} missing`);
    const fields = [...body.matchAll(/^\s+(\w+)\s+(\w+)(\??)(\[\])?/gm)].filter(
      ([, , type, , list]) => scalar.has(type) && !list,
    );
    for (const [, name, , optional] of fields) {
      const col = columns.get(name);
      assert.ok(col, `${model}.${name} has no column`);
      assert.equal(col.notnull === 0, optional === "?", `${model}.${name} nullability differs`);
      checked++;
    }
    assert.equal(
      columns.size,
      fields.length,
      `${model}: columns ${[...columns.keys()]} vs fields ${fields.map((f) => f[1])}`,
    );
    for (const [, cols] of body.matchAll(/@@unique\(\[([^\]]+)\]\)/g)) {
      const want = cols.split(",").map((c) => c.trim());
      const indexes = db.prepare(`PRAGMA index_list("${model}")`).all() as { name: string; unique: number }[];
      const found = indexes.some(
        (ix) =>
          ix.unique &&
          JSON.stringify(
            (db.prepare(`PRAGMA index_info("${ix.name}")`).all() as { name: string }[]).map((c) => c.name),
          ) === JSON.stringify(want),
      );
      assert.ok(found, `${model} @@unique(${want}) has no unique index`);
    }
  }
  assert.ok(checked > 30);
  db.close();
});
