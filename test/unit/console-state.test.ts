import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { claimDataDir } from "../../lib/console-lock";
import { takeConsoleBackup } from "../../lib/console-state/backup";
import { packEntries } from "../../lib/console-state/files";
import { restoreConsoleBackup } from "../../lib/console-state/restore";
import { seal } from "../../lib/console-state/sealed";
import { dumpStore } from "../../lib/db/dump";
import { applyMigrations } from "../../lib/db/migrate";

// Real stores and files in temporary data dirs: the console's own backup, and every way a restore is refused.
const PASS = "a passphrase long enough";
const migrations = path.resolve("prisma/migrations");
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mariner-cs-${name}-`));

/** A data dir as a console leaves it: a migrated store with a user, the key, the session secret, a CA. */
function consoleDir(): string {
  const dir = tmp("src");
  applyMigrations(path.join(dir, "mariner.db"), migrations);
  const db = new Database(path.join(dir, "mariner.db"));
  db.prepare(`INSERT INTO "User" (id, email, passwordHash, role) VALUES ('u1', 'a@b.c', 'h', 'admin')`).run();
  db.close();
  fs.writeFileSync(path.join(dir, "secret.key"), crypto.randomBytes(32), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "auth.secret"), crypto.randomBytes(32), { mode: 0o600 });
  fs.mkdirSync(path.join(dir, "ca"));
  fs.writeFileSync(path.join(dir, "ca", "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
  fs.writeFileSync(path.join(dir, "ca", "ca.key.enc"), "v1.x.y.z");
  return dir;
}
const storeText = (dir: string) => {
  const db = new Database(path.join(dir, "mariner.db"), { readonly: true });
  const text = dumpStore(db);
  db.close();
  return text;
};
const restore = (dir: string, file: Buffer, extra: { passphrase?: string; replace?: boolean } = {}) =>
  restoreConsoleBackup({ dir, file, passphrase: PASS, ...extra });

test("backup → restore into an empty data dir gives back the store, the key, the session secret and the CA", async () => {
  const src = consoleDir();
  const file = await takeConsoleBackup(src, PASS);
  assert.equal(file.includes("a@b.c"), false, "the store is in the file in clear");
  const dst = path.join(tmp("dst"), "data");
  const summary = await restore(dst, file);
  assert.deepEqual([summary.users, summary.environments, summary.migrated], [1, 0, []]);
  assert.equal(storeText(dst), storeText(src));
  for (const f of ["secret.key", "auth.secret", "ca/ca.crt", "ca/ca.key.enc"])
    assert.deepEqual(fs.readFileSync(path.join(dst, f)), fs.readFileSync(path.join(src, f)), f);
  assert.equal(fs.statSync(path.join(dst, "secret.key")).mode & 0o777, 0o600);
  assert.deepEqual(
    fs.readdirSync(dst).filter((n) => n.startsWith(".") || n === "restore.incomplete"),
    [],
    "staging or marker left behind",
  );
});

test("a wrong passphrase, a changed header or a changed body restore nothing", async () => {
  const file = await takeConsoleBackup(consoleDir(), PASS);
  const dst = path.join(tmp("dst"), "data");
  await assert.rejects(restore(dst, file, { passphrase: "not the passphrase!" }), /Wrong passphrase/);
  const header = Buffer.from(file);
  header.write("20261127000001", file.indexOf("20261127000000")); // claims another schema
  await assert.rejects(restore(dst, header), /Wrong passphrase, or the file was changed/);
  const body = Buffer.from(file);
  body[body.length - 100] ^= 1;
  await assert.rejects(restore(dst, body), /Wrong passphrase, or the file was changed/);
  await assert.rejects(restore(dst, file.subarray(0, 30)), /not a Mariner console backup/);
  assert.equal(fs.existsSync(dst), false);
});

test("a backup from a newer schema is refused before anything is written", async () => {
  const src = consoleDir();
  const newer = tmp("newer-migrations");
  fs.cpSync(migrations, newer, { recursive: true });
  fs.mkdirSync(path.join(newer, "29991231000000_future"));
  fs.writeFileSync(path.join(newer, "29991231000000_future", "migration.sql"), `CREATE TABLE "Future" ("id" TEXT);`);
  applyMigrations(path.join(src, "mariner.db"), newer);
  const dst = path.join(tmp("dst"), "data");
  await assert.rejects(
    restore(dst, await takeConsoleBackup(src, PASS)),
    /made by a newer Mariner \(schema 29991231000000_future\).*Nothing was restored/,
  );
  assert.equal(fs.existsSync(dst), false);
});

test("entries outside the console's state (a path out of the data dir) are refused", async () => {
  const src = consoleDir();
  const archive = await packEntries([
    { name: "mariner.db", content: fs.readFileSync(path.join(src, "mariner.db")) },
    { name: "secret.key", content: fs.readFileSync(path.join(src, "secret.key")) },
    { name: "ca/../../escaped", content: Buffer.from("x") },
  ]);
  const file = await seal({ createdAt: "", migrations: [], files: [], console: "x" }, archive, PASS);
  const parent = tmp("dst");
  await assert.rejects(restore(path.join(parent, "data"), file), /unexpected files: nothing was restored/);
  assert.deepEqual(fs.readdirSync(parent), []);
});

test("an existing store needs --replace; a running console refuses the restore; no key, no backup", async () => {
  const src = consoleDir();
  const file = await takeConsoleBackup(src, PASS);
  const dst = consoleDir();
  const before = storeText(dst);
  await assert.rejects(restore(dst, file), /already has a console store.*--replace/);
  assert.equal(storeText(dst), before);
  await restore(dst, file, { replace: true });
  assert.equal(storeText(dst), storeText(src));
  assert.deepEqual(fs.readFileSync(path.join(dst, "secret.key")), fs.readFileSync(path.join(src, "secret.key")));

  const served = consoleDir();
  claimDataDir(served); // this process stands for the console serving it
  await assert.rejects(restore(served, file, { replace: true }), /A Mariner console \(pid \d+\) is serving/);

  fs.rmSync(path.join(src, "secret.key"));
  await assert.rejects(takeConsoleBackup(src, PASS), /secret\.key is missing/);
  await assert.rejects(takeConsoleBackup(dst, "short"), /at least 12 characters/);
});
