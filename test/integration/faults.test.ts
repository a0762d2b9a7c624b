import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import mysql from "mysql2/promise";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";
import { waitFor } from "../support/wait";

const dataDir = useTempDataDir("faults");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const { db } = await import("../../lib/db/client");
const { reconcile, startMonitor, stopMonitor } = await import("../../lib/monitoring/watch");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { nodeLayout } = await import("../../lib/runtime/layout");
const { isOurProcess } = await import("../../lib/runtime/process");
const { setServerOptions } = await import("../../lib/mycnf/parse");
const { mergeOnTop } = await import("../../lib/mycnf/merge");
import type { Actor } from "../../lib/auth/actor";
import type { ServiceError } from "../../lib/errors";

let actor: Actor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  actor = await adminActor();
});

after(async () => {
  stopMonitor();
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every mariadbd on the machine started from a node directory under our data dir. */
function ourMariadbds(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`--defaults-file=${path.join(dataDir, "nodes")}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test("SIGKILL a node: the monitor shows it down, then the restart policy brings it back", async () => {
  const env = await svc.createEnvironment(actor, { name: "victim" });
  const { password, host, port } = await svc.connectionDetails(actor, "victim");
  process.env.MARINER_RESTART_POLICY = "never";
  startMonitor(250);
  try {
    process.kill(env.nodes[0].pid!, "SIGKILL");
    // How soon is the bench's to measure (monitor every 250 ms here): the test waits for the state itself.
    const status = async () => (await db().environment.findUniqueOrThrow({ where: { id: env.id } })).status;
    const detected = await waitFor(async () => (await status()) === "down", {
      what: "the monitor to mark victim down",
    });
    console.log(`down detected after ${detected.ms} ms`);
    process.env.MARINER_RESTART_POLICY = "always";
    const revived = await waitFor(async () => (await status()) === "running", {
      what: "the restart policy to bring victim back",
      timeoutMs: 60_000,
    });
    console.log(`restarted after ${revived.ms} ms`);
    const c = await mysql.createConnection({ host, port, user: "root", password });
    await c.end();
    assert.ok(await db().operation.findFirst({ where: { environmentId: env.id, action: "environment.auto-restart" } }));
  } finally {
    stopMonitor();
  }
  await svc.deleteEnvironment(actor, "victim");
});

function runWorker(args: string[]) {
  return spawn(process.execPath, ["--import", "tsx", "test/support/crash-worker.ts", dataDir, ...args], {
    stdio: "ignore",
  });
}

async function killWhenStep(
  child: ReturnType<typeof runWorker>,
  action: string,
  target: string,
  step: string,
  delayMs = 0,
) {
  const spawnedAt = new Date(Date.now() - 50);
  await waitFor(
    async () => {
      const op = await db().operation.findFirst({
        where: { action, target, startedAt: { gte: spawnedAt } },
        orderBy: { startedAt: "desc" },
      });
      return !!op && (JSON.parse(op.steps) as { name: string }[]).some((s) => s.name === step);
    },
    { what: `${action} on ${target} to reach "${step}"`, timeoutMs: 60_000, everyMs: 20 },
  );
  await sleep(delayMs);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
}

test("SIGKILL the console during create: after restart no orphan process and no half environment", async () => {
  fs.mkdirSync(path.join(dataDir, "nodes"), { recursive: true });
  const before = ourMariadbds();
  const dirsBefore = fs.readdirSync(path.join(dataDir, "nodes")).sort();
  const child = runWorker(["create", "halfmade"]);
  await killWhenStep(child, "environment.create", "halfmade", "starting");
  await sleep(300); // let a just-spawned mariadbd get going: it must still be found and stopped
  await reconcile();
  assert.equal(await db().environment.count({ where: { name: "halfmade" } }), 0);
  assert.deepEqual(ourMariadbds(), before, "no orphan mariadbd");
  const op = await db().operation.findFirstOrThrow({ where: { action: "environment.create", target: "halfmade" } });
  assert.equal(op.status, "failed");
  assert.match(op.error!, /console stopped/);
  assert.deepEqual(fs.readdirSync(path.join(dataDir, "nodes")).sort(), dirsBefore, "no half-made node directory");
});

test("SIGKILL the console during a config apply: the revision ends applied (or rolled back), never half-way", async () => {
  await svc.createEnvironment(actor, { name: "applying" });
  for (const [extra, expected] of [
    [{ max_connections: "77" }, "applied"],
    [{ innodb_data_home_dir: "nonexistent-mariner" }, "rolled-back"],
  ] as const) {
    const { content } = await cfg.getConfig(actor, "applying");
    const file = path.join(dataDir, "candidate.cnf");
    fs.writeFileSync(file, setServerOptions(content, extra));
    const child = runWorker(["config", "applying", file]);
    // Killed while the server is down with the new my.cnf on disk (the worker stops it and then hangs).
    await killWhenStep(child, "config.save", "applying", "restarting", 500);
    const node = (await svc.getEnvironment(actor, "applying")).nodes[0];
    assert.equal(
      isOurProcess(node.pid, nodeLayout(node.baseDir!).cnf),
      false,
      `the server was down when the console died (${JSON.stringify(extra)})`,
    );
    assert.ok(await db().configRevision.findFirst({ where: { result: "pending" } }), "the attempt is on record");
    await reconcile();
    const latest = await db().configRevision.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
    assert.equal(latest.result, expected);
    const env = await svc.getEnvironment(actor, "applying");
    assert.equal(env.status, "running");
    const { host, port, password } = await svc.connectionDetails(actor, "applying");
    const c = await mysql.createConnection({ host, port, user: "root", password });
    const [[row]] = (await c.query("SELECT @@max_connections AS m")) as unknown as [{ m: number }[]];
    await c.end();
    assert.equal(Number(row.m), 77, "the applied setting is live (and survived the rollback of the second)");
  }
  assert.equal(await db().configRevision.count({ where: { result: "pending" } }), 0);
  await svc.deleteEnvironment(actor, "applying");
});

test("a full disk under the data directory is reported in plain words, with the server's lines, and leaves nothing", async (t) => {
  const nodes = path.join(dataDir, "nodes");
  fs.mkdirSync(nodes, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", nodes], { stdio: "ignore" });
  } catch {
    t.skip("cannot mount a small tmpfs here (needs root)");
    return;
  }
  try {
    await assert.rejects(
      svc.createEnvironment(actor, { name: "nospace" }),
      (e: { status: number; message: string; lines: string[] }) => {
        assert.equal(e.status, 500);
        assert.match(e.message, /disk holding the data directory is full/);
        assert.ok(
          e.lines.some((l) => /out of disk space|error 28/.test(l)),
          e.lines.join("\n"),
        );
        return true;
      },
    );
    assert.equal(await db().environment.count({ where: { name: "nospace" } }), 0);
    assert.deepEqual(fs.readdirSync(nodes), []);
  } finally {
    execFileSync("umount", [nodes]);
  }
});

test("concurrent operations on one environment are serialized: no interleaved restarts, no lost update", async () => {
  const env = await svc.createEnvironment(actor, { name: "busy" });
  const opened = await cfg.getConfig(actor, "busy");
  assert.ok(opened.revision, "the generated my.cnf is a revision");
  // Two people opened the same my.cnf and each changed one option; restarts and a stop/start interleave.
  const mine = setServerOptions(opened.content, { max_connections: "55" });
  const theirs = setServerOptions(opened.content, { tmp_table_size: "8M" });
  const [, first, , , second] = await Promise.allSettled([
    svc.environmentAction(actor, "busy", { action: "restart" }),
    cfg.saveConfig(actor, "busy", { content: mine, baseRevision: opened.revision }),
    svc.environmentAction(actor, "busy", { action: "stop" }),
    svc.environmentAction(actor, "busy", { action: "start" }),
    cfg.saveConfig(actor, "busy", { content: theirs, baseRevision: opened.revision }),
  ]);
  const ops = await db().operation.findMany({
    where: { environmentId: env.id, action: { not: "environment.create" } },
    orderBy: { startedAt: "asc" },
  });
  assert.deepEqual(ops.map((o) => o.action).sort(), [
    "config.save",
    "environment.restart",
    "environment.start",
    "environment.stop",
  ]);
  for (let i = 1; i < ops.length; i++) {
    assert.ok(
      ops[i].startedAt >= ops[i - 1].finishedAt!,
      `${ops[i].action} started before ${ops[i - 1].action} finished`,
    );
  }

  // Exactly one save applied; the other was refused as stale, naming who changed it, and kept as a revision.
  const saves = [first, second];
  const applied = saves.filter((s) => s.status === "fulfilled");
  const refused = saves.filter((s): s is PromiseRejectedResult => s.status === "rejected");
  assert.equal(applied.length, 1);
  assert.equal(refused.length, 1);
  const stale = refused[0].reason as ServiceError;
  assert.equal(stale.status, 409);
  assert.equal(stale.code, "stale_revision");
  assert.match(stale.message, new RegExp(`changed by ${actor.email} at .* since you opened it`));
  const details = stale.details as { baseContent: string; currentContent: string; currentRevision: string };
  assert.equal(details.baseContent, opened.content);
  const winner = (applied[0] as PromiseFulfilledResult<{ content: string; revisionId: string }>).value;
  assert.equal(details.currentContent, winner.content);
  assert.equal(details.currentRevision, winner.revisionId);
  const loser = winner.content === mine ? theirs : mine;
  const kept = await db().configRevision.findFirst({ where: { environmentId: env.id, result: "stale" } });
  assert.equal(kept?.content, loser, "the refused text is kept in the history");
  assert.equal((await cfg.getConfig(actor, "busy")).content, winner.content, "the refused save changed nothing");

  // "Apply my change on top": both changes end up in the file the server runs with.
  const merged = mergeOnTop(opened.content, loser, details.currentContent);
  assert.ok(merged.ok);
  await cfg.saveConfig(actor, "busy", { content: merged.text, baseRevision: details.currentRevision });
  const final = await cfg.getConfig(actor, "busy");
  assert.match(final.content, /^max_connections = 55$/m);
  assert.match(final.content, /^tmp_table_size = 8M$/m);
  const login = await svc.connectionDetails(actor, "busy");
  const c = await mysql.createConnection({
    host: login.host,
    port: login.port,
    user: "root",
    password: login.password,
  });
  const [[live]] = (await c.query("SELECT @@max_connections AS mc, @@tmp_table_size AS tts")) as unknown as [
    { mc: number; tts: number }[],
  ];
  await c.end();
  assert.deepEqual([Number(live.mc), Number(live.tts)], [55, 8 * 1024 * 1024]);
  assert.equal((await svc.getEnvironment(actor, "busy")).status, "running");
  await svc.deleteEnvironment(actor, "busy");
});
