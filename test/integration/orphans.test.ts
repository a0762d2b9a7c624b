import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import Docker from "dockerode";
import { useTempDataDir } from "../support/env";
import { adminActor } from "../support/harness";

// The orphan sweep removes only what this console's store retired (a removal its host did not answer). Two stores
// on one engine stand for two consoles sharing it, and for a console restored from a backup older than some of
// its servers: neither may remove a server, or its volume, that it never knew.
const run = promisify(execFile);
const endpoint = /a=(unix:\/\/[^,]+)/.exec(process.env.MARINER_TEST_DOCKER_HOSTS ?? "")?.[1];
const storeA = useTempDataDir("orphans-a");
const storeB = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-orphans-b-"));
const docker = new Docker({ socketPath: endpoint?.slice("unix://".length) });

type Lib = {
  service: typeof import("../../lib/environments/service");
  hosts: typeof import("../../lib/runtime/hosts");
  watch: typeof import("../../lib/monitoring/watch");
  db: typeof import("../../lib/db/client").db;
};
let lib: Lib;
/** Switches the console to one store (db() reopens on a new file; the hosts are loaded into the drivers). */
async function use(dir: string) {
  process.env.MARINER_DATA_DIR = dir;
  const actor = await adminActor();
  if (!(await lib.db().dockerHost.findUnique({ where: { name: "a" } })))
    await lib.hosts.registerHost(actor, { name: "a", endpoint: endpoint! });
  await lib.hosts.loadDockerHosts();
  return actor;
}
const containersOf = async (nodeId: string) =>
  docker.listContainers({ all: true, filters: { label: [`mariner.node=${nodeId}`] } });
const volumesOf = async (nodeId: string) =>
  (await docker.listVolumes({ filters: { label: [`mariner.node=${nodeId}`] } })).Volumes ?? [];
const engine = (action: "start" | "stop") => run("bash", ["scripts/dockerd.sh", action, "a"], { timeout: 60_000 });

before(async () => {
  assert.ok(endpoint, "MARINER_TEST_DOCKER_HOSTS must name engine a (npm test starts it)");
  lib = {
    service: await import("../../lib/environments/service"),
    hosts: await import("../../lib/runtime/hosts"),
    watch: await import("../../lib/monitoring/watch"),
    db: (await import("../../lib/db/client")).db,
  };
});

after(async () => {
  await engine("start");
  for (const dir of [storeA, storeB]) {
    const actor = await use(dir);
    for (const e of await lib.db().environment.findMany())
      await lib.service.deleteEnvironment(actor, e.name).catch(() => undefined);
  }
});

test("a store that never knew a server leaves it alone; a retired one is removed once its host answers", async () => {
  const a = await use(storeA);
  const kept = await lib.service.createEnvironment(a, { name: "orphan-kept", runtime: "docker", host: "a" });
  const keptNode = (await lib.db().node.findFirstOrThrow({ where: { environment: { name: kept.name } } })).id;

  // Store B (another console, or an older backup of this one) sweeps the same engine.
  const b = await use(storeB);
  await lib.watch.reconcile();
  assert.equal((await containersOf(keptNode)).length, 1, "store B removed a server it never knew");
  assert.equal((await volumesOf(keptNode)).length, 1, "store B removed a volume it never knew");

  // B deletes one of its own while the engine is down: the row goes at reconcile, the node is retired.
  await lib.service.createEnvironment(b, { name: "orphan-gone", runtime: "docker", host: "a" });
  const goneNode = (await lib.db().node.findFirstOrThrow({ where: { environment: { name: "orphan-gone" } } })).id;
  await engine("stop");
  await assert.rejects(lib.service.deleteEnvironment(b, "orphan-gone"));
  await lib.watch.reconcile();
  assert.equal(await lib.db().environment.count({ where: { name: "orphan-gone" } }), 0);
  assert.deepEqual(
    (await lib.db().retiredNode.findMany()).map((r) => [r.id, r.runtime]),
    [[goneNode, "docker:a"]],
  );
  await engine("start");
  assert.equal((await containersOf(goneNode)).length, 1, "the engine kept the retired node's container");
  await lib.watch.reconcile();
  assert.equal((await containersOf(goneNode)).length, 0);
  assert.equal((await volumesOf(goneNode)).length, 0);
  assert.equal(await lib.db().retiredNode.count(), 0);
  assert.equal((await containersOf(keptNode)).length, 1, "the other store's server went with the sweep");
  assert.equal((await volumesOf(keptNode)).length, 1);
});
