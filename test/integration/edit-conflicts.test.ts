import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";

// Everything edited in place (my.cnf filters, backup policy, failover policy) is a compare-and-set on the revision
// the editor was opened with: of two saves built from the same revision, one applies and the other is a 409 naming
// who changed it; the refused one changes nothing.
const dataDir = useTempDataDir("conflicts");
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const backups = await import("../../lib/backups/service");
const topo = await import("../../lib/topology");
const { createUser } = await import("../../lib/auth/users");
const { stopNodesUnder } = await import("../../lib/runtime/cleanup");
import type { Actor } from "../../lib/auth/actor";
import type { ServiceError } from "../../lib/errors";

let alice: Actor;
let bob: Actor;

before(async () => {
  alice = await adminActor();
  // Bob acts on Alice's environment as an admin would (admins see every environment).
  const user = await createUser(alice, { email: "bob@conflicts.test", password: "bob-password-1", role: "admin" });
  bob = { id: user.id, email: user.email, role: "admin" };
  await svc.createEnvironment(alice, { name: "shared" });
});

after(async () => {
  await svc.deleteEnvironment(alice, "shared").catch(() => undefined);
  await stopNodesUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function refused(work: Promise<unknown>): Promise<ServiceError> {
  const e = (await work.then(
    () => null,
    (x: unknown) => x,
  )) as ServiceError | null;
  assert.ok(e, "the stale save was refused");
  assert.equal(e.status, 409);
  assert.equal(e.code, "stale_revision");
  return e;
}

test("backup policy: a save from an older revision is refused with who changed it, and changes nothing", async () => {
  assert.equal(await backups.getBackupPolicy(alice, "shared"), null, "no policy yet: revision 0");
  const first = await backups.setBackupPolicy(bob, "shared", { schedule: "0 3 * * *", keepLast: 7, baseRevision: 0 });
  assert.equal(first.revision, 1);
  const e = await refused(
    backups.setBackupPolicy(alice, "shared", { schedule: "0 4 * * *", keepLast: 2, baseRevision: 0 }),
  );
  assert.match(e.message, /^The backup policy was changed by bob@conflicts\.test at .* UTC since you opened it/);
  const stored = await backups.getBackupPolicy(alice, "shared");
  assert.deepEqual(
    [stored?.schedule, stored?.keepLast, stored?.revision, stored?.updatedBy],
    ["0 3 * * *", 7, 1, "bob@conflicts.test"],
  );
  // Built on the current revision, Alice's save applies; without a revision, the last writer wins.
  assert.equal(
    (await backups.setBackupPolicy(alice, "shared", { schedule: "0 4 * * *", keepLast: 2, baseRevision: 1 })).revision,
    2,
  );
  assert.equal((await backups.setBackupPolicy(bob, "shared", { schedule: null })).revision, 3);
});

test("backup policy: of concurrent saves from one revision exactly one applies", async () => {
  const base = (await backups.getBackupPolicy(alice, "shared"))!.revision;
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, (_, i) =>
      backups.setBackupPolicy(alice, "shared", { keepLast: 10 + i, baseRevision: base }),
    ),
  );
  const applied = results.filter((r) => r.status === "fulfilled");
  assert.equal(applied.length, 1, "one save applied");
  for (const r of results.filter((x): x is PromiseRejectedResult => x.status === "rejected"))
    assert.equal((r.reason as ServiceError).code, "stale_revision");
  const winner = (applied[0] as PromiseFulfilledResult<{ keepLast: number | null }>).value.keepLast;
  assert.equal((await backups.getBackupPolicy(alice, "shared"))?.keepLast, winner);
});

test("failover policy: compare-and-set on its revision", async () => {
  const opened = await topo.getFailoverPolicy(alice, "shared");
  await topo.setFailoverPolicy(bob, "shared", { autoFailover: true, confirmMs: 5000, baseRevision: opened.revision });
  const e = await refused(
    topo.setFailoverPolicy(alice, "shared", { autoFailover: false, baseRevision: opened.revision }),
  );
  assert.match(e.message, /^The failover policy was changed by bob@conflicts\.test/);
  const now = await topo.getFailoverPolicy(alice, "shared");
  assert.deepEqual([now.autoFailover, now.confirmMs, now.revision], [true, 5000, opened.revision + 1]);
  // An API client written before confirmMs still sends graceSec (seconds).
  await topo.setFailoverPolicy(alice, "shared", { autoFailover: true, graceSec: 3 });
  const older = await topo.getFailoverPolicy(alice, "shared");
  assert.deepEqual([older.confirmMs, older.graceSec], [3000, 3]);
});

test("replication filters built from an older my.cnf are refused and leave my.cnf as it was", async () => {
  const opened = await cfg.getConfig(alice, "shared");
  await cfg.saveConfig(bob, "shared", {
    content: opened.content + "\nmax_connections = 66\n",
    baseRevision: opened.revision,
  });
  const before = await cfg.getConfig(alice, "shared");
  const e = await refused(topo.setFilters(alice, "shared", { doDb: ["sales"], baseRevision: opened.revision }));
  assert.match(e.message, /^my\.cnf was changed by bob@conflicts\.test/);
  const after = await cfg.getConfig(alice, "shared");
  assert.equal(after.content, before.content);
  assert.equal(after.revision, before.revision);
  // From the current revision they apply, and keep Bob's line.
  await topo.setFilters(alice, "shared", { doDb: ["sales"], baseRevision: after.revision! });
  const final = (await cfg.getConfig(alice, "shared")).content;
  assert.deepEqual(final.match(/^replicate-wild-do-table\s*=.*$/gm), ["replicate-wild-do-table = sales.%"]);
  assert.match(final, /^max_connections = 66$/m);
});
