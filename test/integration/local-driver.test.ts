import assert from "node:assert/strict";
import fs from "node:fs";
import { after, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";

const dataDir = useTempDataDir("driver");
const { LocalDriver } = await import("../../lib/runtime/local");
const { RuntimeError } = await import("../../lib/runtime/driver");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");

const driver = new LocalDriver();
after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function version(host: string, port: number, password: string) {
  const c = await mysql.createConnection({ host, port, user: "root", password, connectTimeout: 3000 });
  try {
    const [rows] = await c.query("SELECT VERSION() AS v");
    return (rows as { v: string }[])[0].v;
  } finally {
    await c.end();
  }
}

test("create → connect → stop → start → destroy, on a real mariadbd", async () => {
  const place = await driver.place([]);
  const steps: string[] = [];
  const ref = await driver.create({ nodeId: "life", ...place, serverId: 11, memoryMb: 256 }, "Pw-life-123", (s) => {
    steps.push(s);
  });
  assert.deepEqual(steps, ["initializing data directory", "starting", "ready"]);
  assert.match(await version(ref.host, ref.port, "Pw-life-123"), /MariaDB/);
  assert.ok(await driver.isAlive(ref));
  const st = await driver.status(ref);
  assert.equal(st.state, "running");
  assert.ok((st.uptimeSeconds ?? -1) >= 0);

  // Provisioning: no anonymous users, every root row has the password, no empty-password login.
  const c = await mysql.createConnection({ host: ref.host, port: ref.port, user: "root", password: "Pw-life-123" });
  const [users] = await c.query("SELECT User, Host, authentication_string <> '' AS has_pw FROM mysql.user");
  await c.end();
  for (const u of users as { User: string; Host: string; has_pw: number }[]) {
    assert.notEqual(u.User, "", `anonymous user ${u.Host} left behind`);
    if (u.User === "root") assert.equal(Number(u.has_pw), 1, `root@${u.Host} without a password`);
  }
  await assert.rejects(
    mysql.createConnection({ host: ref.host, port: ref.port, user: "root", password: "" }),
    (e: { errno?: number }) => e.errno === 1045,
    "ER_ACCESS_DENIED_ERROR, not an unreachable server",
  );

  const stopped = await driver.stop(ref);
  assert.equal(await driver.isAlive(stopped), false);
  assert.equal((await driver.status(stopped)).state, "stopped");
  await assert.rejects(
    version(ref.host, ref.port, "Pw-life-123"),
    (e: { code?: string }) => e.code === "ECONNREFUSED",
    "nothing listens on its address",
  );
  assert.equal((await driver.stop(stopped)).pid, null, "stop is idempotent");

  const started = await driver.start(stopped);
  assert.match(await version(ref.host, ref.port, "Pw-life-123"), /MariaDB/);
  assert.equal((await driver.start(started)).pid, started.pid, "start is idempotent");

  const log = await driver.tailErrorLog(started, 20);
  assert.ok(log.some((l) => /ready for connections/.test(l)));

  await driver.destroy(started);
  assert.equal(fs.existsSync(started.baseDir!), false);
  assert.equal(await driver.isAlive(started), false);
});

test("two environments at once get different addresses and server ids", async () => {
  const a = await driver.place([]);
  const b = await driver.place([a]);
  assert.notEqual(`${a.host}:${a.port}`, `${b.host}:${b.port}`);
  const [ra, rb] = await Promise.all([
    driver.create({ nodeId: "two-a", ...a, serverId: 21, memoryMb: 256 }, "Pw-a-12345", () => {}),
    driver.create({ nodeId: "two-b", ...b, serverId: 22, memoryMb: 256 }, "Pw-b-12345", () => {}),
  ]);
  const ids = await Promise.all(
    [ra, rb].map(async (r) => {
      const c = await mysql.createConnection({ host: r.host, port: r.port, user: "root", password: r.rootPassword });
      const [rows] = await c.query("SELECT @@server_id AS id, @@bind_address AS bind, @@skip_name_resolve AS snr");
      await c.end();
      return (rows as { id: number; bind: string; snr: number }[])[0];
    }),
  );
  assert.deepEqual(
    ids.map((i) => i.id),
    [21, 22],
  );
  assert.deepEqual(
    ids.map((i) => i.bind),
    [a.host, b.host],
  );
  assert.ok(ids.every((i) => Number(i.snr) === 1));
  await Promise.all([driver.destroy(ra), driver.destroy(rb)]);
});

test("a start that fails reports the server's own error lines", async () => {
  const place = await driver.place([]);
  const ref = await driver.create({ nodeId: "broken", ...place, serverId: 31, memoryMb: 256 }, "Pw-broken-1", () => {});
  const stopped = await driver.stop(ref);
  const good = await driver.readConfig(stopped);
  await driver.writeConfig(stopped, `${good}\nfoo-bar = 1\n`);
  await assert.rejects(driver.start(stopped), (e: unknown) => {
    assert.ok(e instanceof RuntimeError);
    assert.ok(
      e.serverLines.some((l) => l.includes("unknown variable 'foo-bar=1'")),
      e.serverLines.join("\n"),
    );
    return true;
  });
  await driver.writeConfig(stopped, good);
  const back = await driver.start(stopped);
  assert.ok(await driver.isAlive(back));
  await driver.destroy(back);
});

test("a failed create leaves nothing behind", async () => {
  // The address is already bound by another node: mariadbd cannot bind and exits.
  const place = await driver.place([]);
  const holder = await driver.create(
    { nodeId: "holder", ...place, serverId: 41, memoryMb: 256 },
    "Pw-holder-1",
    () => {},
  );
  await assert.rejects(
    driver.create({ nodeId: "clash", ...place, serverId: 42, memoryMb: 256 }, "Pw-clash-1", () => {}),
    (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.ok(
        e.serverLines.some((l) => /Address already in use|Do you already have another server/i.test(l)),
        e.serverLines.join("\n"),
      );
      return true;
    },
  );
  assert.equal(fs.existsSync(`${dataDir}/nodes/clash`), false);
  await driver.destroy(holder);
});

test(
  "a node from before identities (root-owned, user = root) moves into its cage on its next start",
  { skip: process.getuid?.() !== 0 && "needs root" },
  async () => {
    const { identityOf } = await import("../../lib/runtime/identity");
    const { nodeLayout } = await import("../../lib/runtime/layout");
    const { setServerOptions, getServerOption } = await import("../../lib/mycnf/parse");
    const place = await driver.place([]);
    const ref = await driver.create(
      { nodeId: "legacy", ...place, serverId: 13, memoryMb: 256 },
      "Pw-legacy-1",
      () => {},
    );
    const stopped = await driver.stop(ref);
    // Put the directory back the way the previous version left it: everything root's, the server told to be root.
    const l = nodeLayout(ref.baseDir!);
    const chownTree = (p: string) => {
      fs.lchownSync(p, 0, 0);
      if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(`${p}/${e}`);
    };
    chownTree(l.baseDir);
    const legacy = setServerOptions(fs.readFileSync(l.cnf, "utf8"), {
      user: "root",
      "secure-file-priv": null,
      "plugin-dir": null,
    });
    fs.writeFileSync(l.cnf, legacy);
    assert.equal(identityOf(l.baseDir), null);

    const started = await driver.start(stopped);
    const identity = identityOf(l.baseDir);
    assert.ok(identity, "the node directory now belongs to an identity");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${started.pid}/status`, "utf8"))![1]);
    assert.equal(uid, identity.uid);
    const cnf = await driver.readConfig(started);
    assert.equal(getServerOption(cnf, "user"), undefined);
    assert.equal(getServerOption(cnf, "secure-file-priv"), l.filesDir);
    const c = await mysql.createConnection({ host: ref.host, port: ref.port, user: "root", password: "Pw-legacy-1" });
    const [[row]] = (await c.query("SELECT @@secure_file_priv AS f")) as unknown as [{ f: string }[]];
    await c.end();
    assert.equal(row.f, `${l.filesDir}/`);
    await driver.destroy(started);
  },
);
