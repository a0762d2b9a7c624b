import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../../generated/prisma/client";
import { dumpStore } from "../../lib/db/dump";
import { applyMigrations, migrationNames } from "../../lib/db/migrate";

// Stores made by earlier versions (scripts/store-fixture.ts, one per release) must migrate to this schema intact.
const migrations = path.resolve("prisma/migrations");
const fixturesDir = path.resolve("test/fixtures/stores");
const fixtures = fs.readdirSync(fixturesDir).filter((f) => f.endsWith(".sql"));
const latest = migrationNames(migrations).at(-1)!;

function storeFrom(fixture: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mariner-upgrade-")), "mariner.db");
  const db = new Database(file);
  db.exec(fs.readFileSync(path.join(fixturesDir, fixture), "utf8"));
  db.close();
  return file;
}

/** Columns a migration replaced: each check compares the old value with the row's new columns. */
const replaced: Record<string, Record<string, (old: unknown, now: Record<string, unknown>) => void>> = {
  Environment: {
    // 20261204030000_semi_sync: a chosen grace (s) is kept as the confirmation window (ms); the old default is not.
    failoverGraceSec: (old, now) => assert.equal(now.failoverConfirmMs, old === 10 ? 500 : Number(old) * 1000),
  },
};

type Rows = Map<string, Record<string, unknown>[]>;
function rowsOf(file: string): Rows {
  const db = new Database(file, { readonly: true });
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all();
  const rows: Rows = new Map();
  for (const { name } of tables as { name: string }[])
    rows.set(name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all() as Record<string, unknown>[]);
  db.close();
  return rows;
}

test("there is a fixture of the previous release's schema and of this one", () => {
  assert.ok(fixtures.length >= 2, `fixtures: ${fixtures}`);
  assert.ok(fixtures.includes(`${latest}.sql`), `no fixture for the current schema ${latest}: npm run store:fixture`);
});

for (const fixture of fixtures) {
  test(`a store made at ${fixture.replace(/\.sql$/, "")} migrates with every record intact`, async () => {
    const file = storeFrom(fixture);
    const before = rowsOf(file);
    const applied = applyMigrations(file, migrations);
    const fixtureSchema = fixture.replace(/\.sql$/, "");
    assert.deepEqual(
      applied,
      migrationNames(migrations).filter((n) => n > fixtureSchema),
    );
    const after = rowsOf(file);
    let compared = 0;
    for (const [table, rows] of before) {
      if (table === "_prisma_migrations") continue;
      for (const [i, row] of rows.entries())
        for (const [column, check] of Object.entries(replaced[table] ?? {}))
          if (column in row) {
            assert.ok(!(column in after.get(table)![i]), `${table}.${column} should be gone`);
            check(row[column], after.get(table)![i]);
            delete row[column];
          }
      const now = after.get(table);
      assert.ok(now, `table ${table} is gone`);
      assert.equal(now.length, rows.length, `${table}: ${rows.length} rows before, ${now.length} after`);
      for (const [i, row] of rows.entries())
        for (const [column, value] of Object.entries(row)) {
          assert.deepEqual(now[i][column], value, `${table}.${column} of row ${i} changed`);
          compared++;
        }
    }
    assert.ok(compared > 150, `only ${compared} values compared`);

    // The console itself reads them back: environments with their nodes and revisions, tokens, backups.
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
    try {
      const environments = await prisma.environment.findMany({
        include: { nodes: true, configRevisions: true, replicationAccount: true },
        orderBy: { createdAt: "asc" },
      });
      assert.deepEqual(
        environments.slice(0, 3).map((e) => [e.name, e.runtime, e.nodes.length, e.configRevisions.length]),
        [
          ["shop", "local", 1, 3],
          ["shop-replica", "docker:a", 1, 3],
          ["reports", "docker:remote", 1, 3],
        ],
      );
      // Stores from the Galera release on also hold a cluster and its member.
      const member = environments.find((e) => e.name === "kv-1");
      if (member) {
        const cluster = await prisma.galeraCluster.findUniqueOrThrow({ where: { id: member.galeraClusterId! } });
        assert.deepEqual(
          [cluster.name, cluster.sstPasswordEnc, member.galeraIndex],
          ["kv", "v1.iv.tag.sst-password", 1],
        );
      } else assert.equal(environments.length, 3);
      assert.equal(environments[0].replicationAccount?.passwordEnc, "v1.iv.tag.repl");
      assert.equal(environments[0].nodes[0].rootPasswordEnc, "v1.iv0.tag0.root-password-shop");
      const tokens = await prisma.apiToken.findMany({ orderBy: { createdAt: "asc" } });
      assert.deepEqual(
        tokens.map((t) => [t.name, t.revokedAt !== null]),
        [
          ["ci", false],
          ["old", true],
        ],
      );
      const backup = await prisma.backup.findUniqueOrThrow({ where: { id: "b-1" } });
      assert.equal(backup.sha256, "c".repeat(64));
      assert.equal(backup.startedAt.toISOString(), "2026-11-20T10:17:00.000Z");
      assert.equal((await prisma.backupPolicy.findUniqueOrThrow({ where: { environmentId: "e-master" } })).revision, 2);
      assert.equal((await prisma.dockerHost.findUniqueOrThrow({ where: { name: "remote" } })).tlsKeyEnc, "v1.key");
    } finally {
      await prisma.$disconnect();
    }
  });
}

test("a migration that fails leaves the store exactly as it was", () => {
  const oldest = fixtures.sort()[0];
  const file = storeFrom(oldest);
  const db = () => new Database(file, { readonly: true });
  const snapshot = (d = db()) => {
    const text = dumpStore(d);
    d.close();
    return text;
  };
  const before = snapshot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-broken-migrations-"));
  fs.cpSync(migrations, dir, { recursive: true });
  // The real pending migrations come first and succeed; the last one fails half-way through.
  fs.mkdirSync(path.join(dir, "29991231000000_broken"));
  fs.writeFileSync(
    path.join(dir, "29991231000000_broken", "migration.sql"),
    `CREATE TABLE "Half" ("id" TEXT);\nUPDATE "Environment" SET "memoryMb" = 1;\nINSERT INTO "NoSuchTable" VALUES (1);\n`,
  );
  assert.throws(
    () => applyMigrations(file, dir),
    /Migration 29991231000000_broken failed: no such table: NoSuchTable; the store was left unchanged/,
  );
  assert.equal(snapshot(), before);
  // And the real migrations still apply afterwards.
  const pending = migrationNames(migrations).filter((n) => n > oldest.replace(/\.sql$/, ""));
  assert.ok(pending.length > 0, "the oldest fixture should have pending migrations");
  assert.deepEqual(applyMigrations(file, migrations), pending);
  assert.ok(!rowsOf(file).has("Half"));
});

test("a store migrated by a newer version is refused, not opened", () => {
  const file = storeFrom(`${latest}.sql`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-newer-migrations-"));
  fs.cpSync(migrations, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, "29991231000000_future"));
  fs.writeFileSync(path.join(dir, "29991231000000_future", "migration.sql"), `CREATE TABLE "Future" ("id" TEXT);\n`);
  assert.deepEqual(applyMigrations(file, dir), ["29991231000000_future"]);
  assert.throws(() => applyMigrations(file, migrations), /migrated by a newer Mariner \(29991231000000_future/);
});
