import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";

const dataDir = useTempDataDir("quotas");
delete process.env.MARINER_QUOTA_ENVIRONMENTS;
delete process.env.MARINER_QUOTA_MEMORY_MB;
const svc = await import("../../lib/environments/service");
const quotas = await import("../../lib/quotas");
const backups = await import("../../lib/backups/service");
const topology = await import("../../lib/topology");
const { asRoot } = await import("../../lib/environments/root");
const { actorById, createUser } = await import("../../lib/auth/users");
const { db } = await import("../../lib/db/client");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
const { ServiceError } = await import("../../lib/errors");
import type { Actor } from "../../lib/auth/actor";

let admin: Actor;

before(async () => {
  admin = await adminActor();
});

after(async () => {
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function userWithLimits(
  email: string,
  limits: { maxEnvironments?: number | null; maxMemoryMb?: number | null },
): Promise<Actor> {
  const user = await createUser(admin, { email, password: "user-password" });
  await quotas.setUserLimits(admin, user.id, limits);
  return user;
}

const actorByEmail = async (email: string) =>
  (await actorById((await db().user.findUniqueOrThrow({ where: { email } })).id))!;

/** mariadbd processes whose command line points into this test's node directories. */
function serversRunning(): number {
  const nodes = path.join(dataDir, "nodes");
  return fs.readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      return cmdline.includes("mariadbd") && cmdline.includes(nodes);
    } catch {
      return false; // exited while we looked
    }
  }).length;
}

/** Everything a create would leave behind: rows, node directories, server processes, audit entries. */
async function footprint() {
  const nodes = path.join(dataDir, "nodes");
  return {
    environments: await db().environment.count(),
    nodes: await db().node.count(),
    nodeDirs: fs.existsSync(nodes) ? fs.readdirSync(nodes).length : 0,
    servers: serversRunning(),
    operations: await db().operation.count({ where: { action: { not: "user.limits" } } }),
  };
}

const refusedForQuota = (message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceError, String(e));
  assert.equal(e.status, 403);
  assert.equal(e.code, "quota_exceeded");
  assert.match(e.message, message);
  return true;
};

test("at the environment limit a create, clone or add-slave is refused with 403 and nothing is created", async () => {
  const user = await userWithLimits("one@example.test", { maxEnvironments: 1 });
  await svc.createEnvironment(user, { name: "first" });
  const before = await footprint();
  assert.deepEqual({ nodeDirs: before.nodeDirs, servers: before.servers }, { nodeDirs: 1, servers: 1 });

  await assert.rejects(
    svc.createEnvironment(user, { name: "second" }),
    refusedForQuota(/^Your quota allows 1 environment \(1 in use\)\. Ask an admin to raise it/),
  );
  await assert.rejects(
    topology.beginClone(user, "first", { name: "copy" }),
    refusedForQuota(/1 environment \(1 in use\)/),
  );
  await assert.rejects(
    topology.beginAddSlaves(user, "first", { count: 2 }),
    refusedForQuota(/\(1 in use; this needs 2 more\)/),
  );
  assert.deepEqual(await footprint(), before);
  assert.equal(await db().operation.count({ where: { target: { in: ["second", "copy"] } } }), 0);
  assert.equal(quotas.describeQuota(await quotas.myQuota(user)), "1 of 1 environment · 256 MB of 8192 MB");
});

test("the memory quota counts the memory limits of all the user's environments", async () => {
  const user = await userWithLimits("mem@example.test", { maxMemoryMb: 512 });
  await svc.createEnvironment(user, { name: "small" });
  const before = await footprint();
  await assert.rejects(
    svc.createEnvironment(user, { name: "big", memoryMb: 512 }),
    refusedForQuota(
      /^Your quota allows 512 MB of memory \(256 MB in use\); this environment needs 512 MB\. Ask an admin/,
    ),
  );
  assert.deepEqual(await footprint(), before);

  await svc.createEnvironment(user, { name: "fits", memoryMb: 256 }); // exactly at the limit is allowed
  await assert.rejects(
    svc.createEnvironment(user, { name: "over", memoryMb: 128 }),
    refusedForQuota(/512 MB in use\); this environment needs 128 MB/),
  );
  assert.equal(quotas.describeQuota(await quotas.myQuota(user)), "2 of 20 environments · 512 MB of 512 MB");
});

test("concurrent creates at the limit: exactly one gets the last slot", async () => {
  const user = await userWithLimits("race@example.test", { maxEnvironments: 2 });
  await svc.createEnvironment(user, { name: "held" });
  const before = await footprint();
  const results = await Promise.allSettled(["r1", "r2", "r3"].map((name) => svc.createEnvironment(user, { name })));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, JSON.stringify(results.map((r) => r.status)));
  for (const r of results) if (r.status === "rejected") refusedForQuota(/2 environments \(2 in use\)/)(r.reason);
  const afterwards = await footprint();
  assert.equal(afterwards.environments, before.environments + 1);
  assert.equal(afterwards.nodeDirs, before.nodeDirs + 1);
  assert.equal(afterwards.servers, before.servers + 1);
  assert.equal(await db().environment.count({ where: { ownerId: user.id } }), 2);
});

test("restore into a new environment is refused at the limit; the system's test restore is exempt and leaves nothing", async () => {
  const user = await actorByEmail("one@example.test");
  await asRoot(await svc.getEnvironment(user, "first"), async (c) => {
    await c.query("CREATE DATABASE app");
    await c.query("CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB");
    await c.query("INSERT INTO app.t VALUES (1), (2)");
  });
  const backup = await (await backups.beginBackup(user, "first")).done;
  const before = await footprint();
  await assert.rejects(
    backups.beginRestore(user, backup.id, { name: "restored" }),
    refusedForQuota(/1 environment \(1 in use\)/),
  );
  assert.deepEqual(await footprint(), before);

  const verdict = await backups.verifyBackup(user, backup.id);
  assert.equal(verdict.ok, true, verdict.text);
  const afterwards = await footprint();
  assert.deepEqual({ ...afterwards, operations: 0 }, { ...before, operations: 0 }); // the verify's own audit entries aside
});

test("only an admin sees or changes limits; bad values are refused; null means the site default", async () => {
  const user = await actorByEmail("mem@example.test");
  const forbidden = (e: unknown) => e instanceof ServiceError && e.status === 403 && e.code === "forbidden";
  await assert.rejects(quotas.setUserLimits(user, user.id, { maxMemoryMb: 100_000 }), forbidden);
  await assert.rejects(quotas.listUsersWithQuotas(user), forbidden);
  await assert.rejects(quotas.getUserWithQuota(user, user.id), forbidden);
  assert.equal((await db().user.findUniqueOrThrow({ where: { id: user.id } })).maxMemoryMb, 512);

  for (const bad of [
    { maxEnvironments: -1 },
    { maxEnvironments: 1.5 },
    { maxMemoryMb: "lots" },
    {},
    { maxEnvironments: 1, role: "admin" },
  ]) {
    await assert.rejects(
      quotas.setUserLimits(admin, user.id, bad),
      (e: unknown) => e instanceof ServiceError && e.status === 400,
      JSON.stringify(bad),
    );
  }
  await assert.rejects(
    quotas.setUserLimits(admin, "no-such-user", { maxEnvironments: 1 }),
    (e: unknown) => e instanceof ServiceError && e.status === 404,
  );

  process.env.MARINER_QUOTA_MEMORY_MB = "4096";
  try {
    const reset = await quotas.setUserLimits(admin, user.id, { maxMemoryMb: null });
    assert.deepEqual(reset.quota.memoryMb, { used: 512, limit: 4096, isDefault: true });
  } finally {
    delete process.env.MARINER_QUOTA_MEMORY_MB;
  }
  const audit = await db().operation.findFirst({
    where: { action: "user.limits", target: "mem@example.test" },
    orderBy: { startedAt: "desc" },
  });
  assert.equal(audit?.userId, admin.id);

  // Admins run the machine: no quota applies to them.
  await quotas.assertQuotaAllows(admin, { environments: 10_000, memoryMb: 10_000_000 });
  assert.equal((await quotas.myQuota(admin)).unlimited, true);
});
