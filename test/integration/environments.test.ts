import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("envs");
process.env.MARINER_RESTART_POLICY = "always";
const svc = await import("../../lib/environments/service");
const { db } = await import("../../lib/db/client");
const { createUser, ensureAdmin } = await import("../../lib/auth/users");
const { reconcile, checkEnvironment } = await import("../../lib/monitoring/watch");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { nodeLayout } = await import("../../lib/runtime/layout");
const { isOurProcess } = await import("../../lib/runtime/process");
import type { Actor } from "../../lib/auth/actor";

let admin: Actor;
let alice: Actor;
let bob: Actor;

before(async () => {
  process.env.MARINER_ADMIN_EMAIL = "root@example.test";
  process.env.MARINER_ADMIN_PASSWORD = "admin-password";
  await ensureAdmin(() => {});
  const a = await db().user.findUniqueOrThrow({ where: { email: "root@example.test" } });
  admin = { id: a.id, email: a.email, role: "admin" };
  alice = await createUser(admin, { email: "alice@example.test", password: "alice-password" });
  bob = await createUser(admin, { email: "bob@example.test", password: "bob-password" });
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function login(env: { host: string | null; port: number | null }, password: string) {
  const c = await mysql.createConnection({
    host: env.host!,
    port: env.port!,
    user: "root",
    password,
    connectTimeout: 3000,
  });
  await c.query("CREATE DATABASE IF NOT EXISTS x");
  await c.end();
}

test("two environments through the service: connect, CREATE DATABASE, delete leaves no process or directory", async () => {
  const [m, s] = await Promise.all([
    svc.createEnvironment(alice, { name: "masterbase" }),
    svc.createEnvironment(alice, { name: "slavebase", memoryMb: 512 }),
  ]);
  assert.equal(m.status, "running");
  assert.notEqual(m.nodes[0].serverId, s.nodes[0].serverId);
  for (const env of [m, s]) {
    const conn = await svc.connectionDetails(alice, env.name);
    await login(conn, conn.password);
  }
  const ops = await db().operation.findMany({ where: { action: "environment.create", target: "masterbase" } });
  const steps = JSON.parse(ops[0].steps).map((x: { name: string }) => x.name);
  assert.deepEqual(steps, ["allocating", "initializing data directory", "starting", "ready"]);

  const dirs = [m, s].map((e) => e.nodes[0].baseDir!);
  const pids = [m, s].map((e) => e.nodes[0].pid!);
  await svc.deleteEnvironment(alice, "masterbase");
  await svc.deleteEnvironment(alice, "slavebase");
  for (const [i, dir] of dirs.entries()) {
    assert.equal(fs.existsSync(dir), false);
    assert.equal(isOurProcess(pids[i], nodeLayout(dir).cnf), false);
    assert.equal(fs.existsSync(`/proc/${pids[i]}`), false, `mariadbd ${pids[i]} still running`);
  }
  assert.equal((await svc.listEnvironments(alice)).length, 0);
});

test("hostile or duplicate input is refused with a clear message and creates nothing", async () => {
  const before = await db().environment.count();
  const cases: [unknown, number, RegExp][] = [
    [{ name: "../x" }, 400, /DNS label/],
    [{ name: "a b" }, 400, /DNS label/],
    [{ name: "a".repeat(300) }, 400, /at most 40/],
    [{ name: "x'; DROP" }, 400, /DNS label/],
    [{ name: "ok", memoryMb: "lots" }, 400, /Memory limit/],
    [{ name: "ok", runtime: "kubernetes" }, 400, /Runtime/],
    [{ name: "ok", extra: 1 }, 400, /Unrecognized key/i],
    [{ name: 42 }, 400, /string|Name/i],
  ];
  for (const [input, status, message] of cases) {
    await assert.rejects(svc.createEnvironment(alice, input), (e: { status: number; message: string }) => {
      assert.equal(e.status, status, JSON.stringify(input));
      assert.match(e.message, message);
      return true;
    });
  }
  assert.equal(await db().environment.count(), before);
  assert.equal(fs.readdirSync(path.join(dataDir, "nodes")).length, 0);

  const dup = await svc.createEnvironment(alice, { name: "dup" });
  await assert.rejects(
    svc.createEnvironment(alice, { name: "dup" }),
    (e: { status: number; code: string }) => e.status === 409 && e.code === "name_taken",
  );
  const dups = await db().environment.findMany({ where: { name: "dup" } });
  assert.deepEqual(
    dups.map((e) => [e.id, e.status]),
    [[dup.id, "running"]],
    "the first dup is untouched, no second one",
  );
  await svc.deleteEnvironment(alice, "dup");
});

test("users see and act on their own environments only; admin sees all", async () => {
  const env = await svc.createEnvironment(alice, { name: "private" });
  assert.equal(await svc.findEnvironment(bob, "private"), null);
  for (const attempt of [
    () => svc.getEnvironment(bob, "private"),
    () => svc.connectionDetails(bob, "private"),
    () => svc.environmentAction(bob, "private", { action: "stop" }),
    () => svc.deleteEnvironment(bob, "private"),
    () => svc.errorLogTail(bob, "private"),
  ]) {
    await assert.rejects(attempt(), (e: { status: number }) => e.status === 404);
  }
  // The 404s are refusals, not a missing object: alice's environment is still there and still running.
  const still = await svc.getEnvironment(alice, "private");
  assert.equal(still.status, "running");
  assert.equal(
    isOurProcess(still.nodes[0].pid, nodeLayout(still.nodes[0].baseDir!).cnf),
    true,
    "its server was not stopped",
  );
  assert.equal((await svc.listEnvironments(bob)).length, 0);
  assert.ok((await svc.listEnvironments(admin)).some((e) => e.id === env.id));
  // Bob may use the same name: names are unique per user.
  const bobs = await svc.createEnvironment(bob, { name: "private" });
  assert.notEqual(bobs.nodes[0].host + bobs.nodes[0].port, env.nodes[0].host + env.nodes[0].port);
  await svc.deleteEnvironment(bob, "private");
  await svc.deleteEnvironment(alice, "private");
});

test("root passwords are encrypted at rest: not in the SQLite files, not in the data dir metadata", async () => {
  await svc.createEnvironment(alice, { name: "secretive" });
  const { password } = await svc.connectionDetails(alice, "secretive");
  const files = fs.readdirSync(dataDir).filter((f) => f.startsWith("mariner.db"));
  assert.ok(files.length > 0);
  for (const f of files)
    assert.equal(fs.readFileSync(path.join(dataDir, f)).includes(password), false, `${f} holds the password`);
  const env = await svc.getEnvironment(alice, "secretive");
  for (const f of ["my.cnf", "error.log"]) {
    assert.equal(
      fs.readFileSync(path.join(env.nodes[0].baseDir!, f), "utf8").includes(password),
      false,
      `${f} holds the password`,
    );
  }
  await svc.deleteEnvironment(alice, "secretive");
});

test("stop/start/restart update status; a SIGKILLed server is seen as down, then the restart policy brings it back", async () => {
  const env = await svc.createEnvironment(alice, { name: "fragile" });
  const conn = await svc.connectionDetails(alice, "fragile");
  assert.equal((await svc.environmentAction(alice, "fragile", { action: "stop" })).status, "stopped");
  assert.equal((await db().environment.findUniqueOrThrow({ where: { id: env.id } })).desiredState, "stopped");
  assert.equal(await checkEnvironment(env.id, { restart: true }), "stopped", "a stopped environment is not restarted");
  assert.equal((await svc.environmentAction(alice, "fragile", { action: "start" })).status, "running");
  assert.equal((await svc.environmentAction(alice, "fragile", { action: "restart" })).status, "running");
  await login(conn, conn.password);

  const node = await db().node.findFirstOrThrow({ where: { environmentId: env.id } });
  process.kill(node.pid!, "SIGKILL");
  const gone = await waitFor(() => !isOurProcess(node.pid, nodeLayout(node.baseDir!).cnf), {
    what: `mariadbd ${node.pid} to exit after SIGKILL`,
    everyMs: 10,
  });
  // One check after the process is gone says down (how soon the monitor looks is its own interval, in the bench).
  assert.equal(await checkEnvironment(env.id, { restart: false }), "down");
  const down = await db().environment.findUniqueOrThrow({ where: { id: env.id } });
  assert.equal(down.status, "down");
  console.log(`SIGKILL → process gone ${gone.ms} ms`);

  assert.equal(await checkEnvironment(env.id, { restart: true }), "running");
  await login(conn, conn.password);
  await svc.deleteEnvironment(alice, "fragile");
});

test("after a console restart: live servers adopted, dead ones restarted, half-created environments removed", async () => {
  const live = await svc.createEnvironment(alice, { name: "adopted" });
  const dead = await svc.createEnvironment(alice, { name: "revived" });
  const half = await svc.createEnvironment(alice, { name: "halfway" });
  const deadNode = dead.nodes[0];
  process.kill(deadNode.pid!, "SIGKILL");
  await waitFor(() => !isOurProcess(deadNode.pid, nodeLayout(deadNode.baseDir!).cnf), {
    what: `mariadbd ${deadNode.pid} to exit after SIGKILL`,
    everyMs: 10,
  });
  // As if the console died in the middle of creating "halfway": its row still says creating, its server runs.
  await db().environment.update({ where: { id: half.id }, data: { status: "creating" } });
  const halfPid = half.nodes[0].pid!;

  await reconcile();

  const after = await svc.listEnvironments(alice);
  assert.deepEqual(after.map((e) => [e.name, e.status]).sort(), [
    ["adopted", "running"],
    ["revived", "running"],
  ]);
  assert.equal(after.find((e) => e.name === "adopted")!.nodes[0].pid, live.nodes[0].pid, "adopted, not restarted");
  assert.equal(fs.existsSync(half.nodes[0].baseDir!), false);
  assert.equal(isOurProcess(halfPid, nodeLayout(half.nodes[0].baseDir!).cnf), false);
  for (const name of ["adopted", "revived"]) await svc.deleteEnvironment(alice, name);
});

test("an address taken between placement and start (another program binds it) is placed again, not a failed create", async () => {
  const net = await import("node:net");
  const started = await svc.beginCreateEnvironment(alice, { name: "raced" });
  // The node row holds the placed address before mariadb-install-db has run: take it the way another program would.
  const placed = await waitFor(() => db().node.findFirst({ where: { environment: { name: "raced" } } }), {
    what: "the placed address",
  });
  const squatter = net.createServer();
  await new Promise<void>((resolve, reject) =>
    squatter.once("error", reject).listen(placed.value!.port, placed.value!.host, resolve),
  );
  try {
    const env = await started.done;
    const now = env.nodes[0];
    assert.notDeepEqual([now.host, now.port], [placed.value!.host, placed.value!.port], "placed on another address");
    await login(now, (await svc.connectionDetails(alice, "raced")).password);
    const { steps } = await db().operation.findUniqueOrThrow({ where: { id: started.operationId } });
    assert.match(
      steps,
      new RegExp(
        `${placed.value!.host.replace(/\./g, "\\.")}:${placed.value!.port} was taken meanwhile: placing again`,
      ),
    );
  } finally {
    squatter.close();
    await svc.deleteEnvironment(alice, "raced").catch(() => undefined);
  }
});
