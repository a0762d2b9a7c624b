import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { identityOf, serverProcessOptions } from "@/lib/runtime/identity";
import { readNodeFile } from "@/lib/runtime/node-files";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { editConfig, getConfig } from "@/lib/environments/config";
import { asRoot, openRoot } from "@/lib/environments/root";
import { createEnvironment, deleteEnvironment, getEnvironment, listEnvironments, primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { ServiceError, staleEdit } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { dumpAll, loadDump } from "@/lib/mariadb/dump";
import { binlogGtidReader, compareProgress, errantGtids, formatGtid, gtidState, parseGtid, transactionsMissing, type GtidPosition } from "@/lib/mariadb/gtid";
import { explainSlave } from "@/lib/mariadb/health";
import { changeMaster, slaveStatus } from "@/lib/mariadb/replication";
import { killClientSessions } from "@/lib/mariadb/sessions";
import { setServerOptionList, setServerOptions } from "@/lib/mycnf/parse";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { dataDir } from "@/lib/paths";
import { driverFor } from "@/lib/runtime";
import { parseRuntime } from "@/lib/runtime/runtime";
import { parseInput } from "@/lib/validation";
import { assertQuotaAllows } from "@/lib/quotas";
import { followNewMaster } from "@/lib/proxy/endpoints";
import { ensureReplicationAccount, type ReplicationLogin } from "./account";
import { descendants, discoverTopology, serverFacts, type ServerFacts, type Topology } from "./discover";
import { userDatabases } from "@/lib/mariadb/schemas";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What every console-made slave runs with: read-only, and promotable (its own binlog with replicated events). */
export const SLAVE_OPTIONS = {
  "log-bin": "mysql-bin",
  "log-slave-updates": "ON",
  "binlog-format": "mixed",
  "read-only": "ON",
  "relay-log": "relay-bin",
  // With the 1 s heartbeat: a silent master (network partition) is noticed after 4 s instead of 60.
  "slave-net-timeout": "4",
};

/** After a failover or switchover, automatic failover waits this long before acting again (no flapping). */
export const antiFlapMs = () => Number(process.env.MARINER_ANTI_FLAP_SECONDS ?? 300) * 1000;

/** New servers for a topology run on the same runtime; on Docker, on another host than their source. */
function placementNear(source: EnvironmentWithNodes): { runtime?: "docker"; awayFrom?: string } {
  return parseRuntime(source.runtime).kind === "docker" ? { runtime: "docker", awayFrom: source.name } : {};
}

/** Topology changes of one owner never interleave (a move during a failover would be chaos). */

async function applyOptions(actor: Actor, name: string, values: Record<string, string | null>, message: string, restart = true) {
  await editConfig(actor, name, (content) => setServerOptions(content, values), { message, restart });
}

/** STOP SLAVE; CHANGE MASTER TO the parent (GTID slave_pos); START SLAVE. */
async function pointAt(slave: EnvironmentWithNodes, login: ReplicationLogin) {
  await asRoot(slave, async (c) => {
    await changeMaster(c, { host: login.host, port: login.port, user: login.user, password: login.password, mode: "gtid" });
    await c.query("START SLAVE");
  });
}

/** Until both threads run (or a real error shows): the slave is only "added" once it replicates. */
async function waitReplicating(env: EnvironmentWithNodes, timeoutMs = 30_000) {
  const t0 = Date.now();
  for (;;) {
    const row = await asRoot(env, slaveStatus);
    const health = explainSlave(row);
    if (health.state === "running") return;
    if (health.state === "error" || Date.now() - t0 > timeoutMs) throw new ServiceError(502, "not_replicating", `${env.name}: ${health.message}`, [health.lastIoError, health.lastSqlError].filter(Boolean) as string[]);
    await sleep(50);
  }
}

function snapshotFile(id: string) {
  const dir = path.join(dataDir(), "tmp");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${id}.sql`);
}

function rootLogin(env: EnvironmentWithNodes) {
  const ref = nodeRefOf(primaryNode(env));
  return { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword };
}

async function requireBinlog(env: EnvironmentWithNodes, why: string) {
  const facts = await serverFacts(env);
  if (!facts.logBin) {
    throw new ServiceError(409, "binlog_off", `Binary logging is off on ${env.name}, so ${why}. Turn it on first (Replication → Enable binary logging).`);
  }
  return facts;
}

// ---- Scale-out: Add slave ----

export const addSlavesInput = z.strictObject({
  count: z.number().int().min(1, "Add at least one slave").max(10, "At most 10 slaves at once"),
  namePrefix: environmentName.optional(),
});

async function freeNames(actor: Actor, prefix: string, count: number): Promise<string[]> {
  const taken = new Set((await listEnvironments(actor)).map((e) => e.name));
  const names: string[] = [];
  for (let i = 1; names.length < count; i++) if (!taken.has(`${prefix}-${i}`)) names.push(`${prefix}-${i}`);
  for (const n of names) if (!environmentName.safeParse(n).success) throw new ServiceError(400, "invalid_request", `"${n}" is not a valid environment name: choose a shorter prefix`);
  return names;
}

/**
 * Creates N slaves seeded with the master's current data: one consistent snapshot (with its GTID position)
 * loaded into each new server outside its binlog, then replication from that position. All or nothing.
 */
export async function beginAddSlaves(actor: Actor, masterName: string, raw: unknown) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(addSlavesInput, raw);
  // Up front, so the whole request is refused with a 4xx; each create checks again under the placement lock.
  await assertQuotaAllows(actor, { environments: input.count, memoryMb: input.count * master.memoryMb });
  await requireBinlog(master, "slaves have nothing to read");
  const names = await freeNames(actor, input.namePrefix ?? `${master.name}-slave`, input.count);
  return beginOperation({ userId: actor.id, action: "topology.add-slaves", environmentId: master.id, target: master.name, params: { count: input.count, names } }, (step) =>
    topologyLock(master.ownerId, async () => {
      const created: string[] = [];
      const file = snapshotFile(`add-slaves-${Date.now()}`);
      try {
        await step(`creating ${names.join(", ")}`);
        const envs = await Promise.all(
          names.map(async (name) => {
            const env = await createEnvironment(actor, { name, memoryMb: master.memoryMb, ...placementNear(master) });
            created.push(name);
            return env;
          }),
        );
        await step("configuring them as slaves");
        await Promise.all(names.map((n) => applyOptions(actor, n, SLAVE_OPTIONS, "Slave settings (Add slave)")));
        await step(`taking a consistent snapshot of ${master.name}`);
        await dumpAll(rootLogin(master), file, true).catch((e) => {
          throw new ServiceError(500, "snapshot_failed", `Snapshot of ${master.name} failed`, (e as { lines?: string[] }).lines);
        });
        await step(`loading ${(fs.statSync(file).size / 1048576).toFixed(1)} MB into each slave`);
        await Promise.all(envs.map((e) => loadDump(rootLogin(e), file)));
        await step("starting replication");
        const login = await ensureReplicationAccount(await getEnvironment(actor, master.name));
        await Promise.all(envs.map(async (e) => pointAt(await getEnvironment(actor, e.name), login)));
        await Promise.all(envs.map(async (e) => waitReplicating(await getEnvironment(actor, e.name))));
        await step("ready");
        return { slaves: names };
      } catch (e) {
        // Nothing half-made: every slave created by this operation goes away again.
        for (const name of created) await deleteEnvironment(actor, name).catch(() => undefined);
        throw e;
      } finally {
        fs.rmSync(file, { force: true });
      }
    }),
  );
}

// ---- Clone ----

export const cloneInput = z.strictObject({ name: environmentName, asSlave: z.boolean().default(false) });

/** The article's "or just clone it": same my.cnf (own wiring and server-id), a consistent copy of the data. */
export async function beginClone(actor: Actor, sourceName: string, raw: unknown) {
  const source = await getEnvironment(actor, sourceName);
  const input = parseInput(cloneInput, raw);
  await assertQuotaAllows(actor, { environments: 1, memoryMb: source.memoryMb });
  const facts = input.asSlave ? await requireBinlog(source, "a slave clone has nothing to read") : await serverFacts(source);
  return beginOperation({ userId: actor.id, action: "topology.clone", environmentId: source.id, target: source.name, params: input }, (step) =>
    topologyLock(source.ownerId, async () => {
      const file = snapshotFile(`clone-${Date.now()}`);
      let created = false;
      try {
        await step(`creating ${input.name}`);
        const clone = await createEnvironment(actor, { name: input.name, memoryMb: source.memoryMb, ...placementNear(source) });
        created = true;
        await step("copying the configuration");
        const sourceCnf = (await getConfig(actor, source.name)).content;
        const own = setServerOptions(sourceCnf, { "server-id": String(clone.nodes[0].serverId), ...(input.asSlave ? SLAVE_OPTIONS : {}) });
        await editConfig(actor, input.name, () => own, { message: `Cloned from ${source.name}` });
        await step(`taking a consistent snapshot of ${source.name}`);
        await dumpAll(rootLogin(source), file, facts.logBin);
        await step("loading the data");
        await loadDump(rootLogin(await getEnvironment(actor, input.name)), file);
        if (input.asSlave) {
          await step("starting replication");
          const login = await ensureReplicationAccount(await getEnvironment(actor, source.name));
          const env = await getEnvironment(actor, input.name);
          await pointAt(env, login);
          await waitReplicating(env);
        } else {
          // A standalone copy forgets where the data came from.
          await asRoot(await getEnvironment(actor, input.name), (c) => c.query("RESET SLAVE ALL"));
        }
        await step("ready");
        return { name: input.name };
      } catch (e) {
        if (created) await deleteEnvironment(actor, input.name).catch(() => undefined);
        throw e;
      } finally {
        fs.rmSync(file, { force: true });
      }
    }),
  );
}

// ---- Re-seed ----

/**
 * Rebuilds a slave whose master no longer has the binary logs it needs (1236): a fresh consistent snapshot of
 * its master replaces its user databases (loaded outside its binlog), its GTID position becomes the snapshot's,
 * and it rejoins. Its own accounts and settings stay.
 */
export async function beginReseed(actor: Actor, name: string) {
  const slave = await getEnvironment(actor, name);
  const node = (await discoverTopology(actor)).nodes.find((n) => n.name === slave.name);
  const masterName = node?.master;
  if (!masterName) throw new ServiceError(409, "not_a_slave", `${slave.name} does not replicate from one of your environments`);
  // Re-seeding replaces every database with one master's: on a multi-source slave that would wipe the others'.
  if ((node?.masters.length ?? 0) > 1) throw new ServiceError(409, "multi_source", `${slave.name} replicates from several masters (${node!.masters.join(", ")}): a re-seed from ${masterName} would replace the other sources' data`);
  const master = await getEnvironment(actor, masterName);
  return beginOperation({ userId: actor.id, action: "topology.reseed", environmentId: slave.id, target: slave.name, params: { from: master.name } }, (step) =>
    topologyLock(slave.ownerId, async () => {
      const file = snapshotFile(`reseed-${Date.now()}`);
      try {
        await step(`taking a consistent snapshot of ${master.name}`);
        await dumpAll(rootLogin(master), file, true);
        await step(`replacing ${slave.name}'s databases`);
        await asRoot(slave, async (c) => {
          await c.query("STOP SLAVE");
          await c.query("SET SESSION sql_log_bin = 0");
          for (const database of await userDatabases(c)) await c.query("DROP DATABASE ??", [database]);
        });
        await loadDump(rootLogin(slave), file);
        await step("rejoining from the snapshot's position");
        const login = await ensureReplicationAccount(master);
        await pointAt(slave, login);
        await waitReplicating(slave);
        await step("ready");
        return { name: slave.name, from: master.name };
      } finally {
        fs.rmSync(file, { force: true });
      }
    }),
  );
}

// ---- Chained replication ----

/** Makes a server able to feed others: binary log with replicated events (restart), and its replication account. */
export async function makeMaster(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  await applyOptions(actor, name, { "log-bin": "mysql-bin", "log-slave-updates": "ON", "binlog-format": "mixed" }, "Can feed other slaves (log-bin + log-slave-updates)");
  await ensureReplicationAccount(await getEnvironment(actor, env.name));
  return { name };
}

export const moveInput = z.strictObject({ newMaster: environmentName });

/**
 * Why a move is illegal, in plain words; null when it is fine. `positions` must be read child first, then
 * parent: under writes a parent read earlier than its child would look behind it.
 */
export function moveRefusal(topology: Topology, child: string, parent: string, positions: { child: string; parent: string }): string | null {
  if (child === parent) return `${child} cannot replicate from itself`;
  const c = topology.nodes.find((n) => n.name === child);
  const p = topology.nodes.find((n) => n.name === parent);
  if (!c?.facts?.slave) return `${child} is not a slave: configure its master first`;
  if (!p?.facts) return `${parent} is not running`;
  if (c.master === parent) return `${child} already replicates from ${parent}`;
  if (descendants(topology, child).has(parent)) return `${parent} replicates (directly or not) from ${child}: that would make a cycle`;
  if (!p.facts.logBin) return `Binary logging is off on ${parent}: use "Make it a master" on ${parent} first`;
  if (p.facts.slave && !p.facts.logSlaveUpdates) return `${parent} does not write replicated events to its binary log (log-slave-updates is off): use "Make it a master" on ${parent} first`;
  const behind = transactionsMissing(parseGtid(positions.child), parseGtid(positions.parent));
  if (behind > 0) return `${parent} is ${behind} transaction(s) behind ${child}; wait until it catches up`;
  return null;
}

/** Moves a slave under another server (a slave, for a chain, or back to the master) keeping its GTID position. */
export async function moveSlave(actor: Actor, name: string, raw: unknown) {
  const child = await getEnvironment(actor, name);
  const input = parseInput(moveInput, raw);
  const parent = await getEnvironment(actor, input.newMaster);
  return topologyLock(child.ownerId, () =>
    beginOperation({ userId: actor.id, action: "topology.move", environmentId: child.id, target: child.name, params: input }, async (step) => {
      const topology = await discoverTopology(actor);
      const childPos = (await serverFacts(child).catch(() => null))?.gtidSlavePos ?? "";
      const parentPos = (await serverFacts(parent).catch(() => null))?.gtidCurrentPos ?? "";
      const refusal = moveRefusal(topology, child.name, parent.name, { child: childPos, parent: parentPos });
      if (refusal) throw new ServiceError(409, "illegal_move", refusal);
      await step(`repointing ${child.name} to ${parent.name}`);
      const login = await ensureReplicationAccount(parent);
      await pointAt(child, login);
      await waitReplicating(child);
      return { name: child.name, master: parent.name };
    }).then((o) => o.done),
  );
}

// ---- Spreading the load: filters ----

const dbName = z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, "Database names may contain letters, digits, _ and $");
const tablePattern = z.string().regex(/^[A-Za-z0-9_$%]{1,64}\.[A-Za-z0-9_$%]{1,64}$/, "Table patterns look like db.table, with % wildcards (sales.%)");
export const filtersInput = z.strictObject({
  doDb: z.array(dbName).max(50).default([]),
  ignoreDb: z.array(dbName).max(50).default([]),
  wildDoTable: z.array(tablePattern).max(50).default([]),
  wildIgnoreTable: z.array(tablePattern).max(50).default([]),
  /** The my.cnf revision the filters were read with (GET …/config → revision): a newer my.cnf refuses them. */
  baseRevision: z.string().max(64).optional(),
});

/**
 * Per-slave replication filters, written to my.cnf (one line per value) and applied with a validated restart.
 * Database filters become `replicate-wild-do-table = db.%`: replicate-do-db judges statement-logged events by
 * their default database (USE …), so it silently drops `INSERT INTO sales.orders` sent without one.
 */
export async function setFilters(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const f = parseInput(filtersInput, raw);
  const { baseRevision, ...filters } = f;
  const write = (content: string) => {
    content = setServerOptionList(content, "replicate-do-db", []);
    content = setServerOptionList(content, "replicate-ignore-db", []);
    content = setServerOptionList(content, "replicate-wild-do-table", [...f.doDb.map((d) => `${d}.%`), ...f.wildDoTable]);
    return setServerOptionList(content, "replicate-wild-ignore-table", [...f.ignoreDb.map((d) => `${d}.%`), ...f.wildIgnoreTable]);
  };
  // The filter form shows what my.cnf held at a revision: a newer my.cnf (someone's save) refuses it (409).
  await editConfig(actor, env.name, write, { message: "Replication filters", baseRevision });
  return filters;
}

// ---- Switchover and failover ----

export interface Candidate {
  name: string;
  gtid: string;
  /** Transactions written directly on this slave (its own server-id in its binlog): they exist nowhere else. */
  errant: string | null;
  transactionsBehind: number;
  secondsBehind: number | null;
  ok: boolean;
  reasons: string[];
}

export interface Preflight {
  master: string;
  masterAlive: boolean;
  masterPosition: string | null;
  candidates: Candidate[];
  chosen: string | null;
  blocked: string | null;
  /** Transactions the dead master had that no slave received (failover; null when unknown). */
  lost: number | null;
  /** Switchover: how long the master is expected to stay read-only (the chosen candidate's catch-up). */
  expectedReadOnlyMs: number | null;
}

/**
 * The dead master's last GTID per domain and the last per domain and server it logged, read from its binary
 * logs on disk (streamed). null when they cannot be read: unknown, not empty.
 */
async function gtidsOnDisk(env: EnvironmentWithNodes): Promise<{ position: GtidPosition; gtids: string } | null> {
  const node = primaryNode(env);
  if (!node.baseDir) return null;
  const datadir = path.join(node.baseDir, "data");
  const index = path.join(datadir, "mysql-bin.index");
  if (!fs.existsSync(index)) return null;
  const reader = binlogGtidReader();
  // The index is written by the server's uid: read without following links, and only files inside its datadir.
  // Only binlog files by their own name pattern; read as the server's uid (it could only name files it can read).
  const files = readNodeFile(node.baseDir, index)
    .split("\n")
    .filter((f) => /^(\.\/)?[A-Za-z0-9_.-]+\.\d{6}$/.test(f));
  const as = serverProcessOptions(identityOf(node.baseDir), datadir);
  for (const [i, f] of files.entries()) {
    const child = spawn("mariadb-binlog", ["--base64-output=never", path.resolve(datadir, f)], { ...as, stdio: ["ignore", "pipe", "ignore"] });
    const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
    child.once("error", () => undefined); // no binary: the exit code says so
    for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) reader.line(line);
    // The last file of a killed server may end in a torn event: what was read before it still counts.
    if ((await exited) !== 0 && i < files.length - 1) return null;
  }
  return reader.result();
}

async function masterAlive(env: EnvironmentWithNodes): Promise<boolean> {
  if (!(await driverFor(env.runtime).isAlive(nodeRefOf(primaryNode(env))))) return false;
  return asRoot({ ...env, status: "running" }, (c) => c.query("SELECT 1")).then(() => true, () => false);
}

/**
 * The report before any switchover or failover: candidates ranked by executed GTIDs and lag, what would be
 * lost, and why it is blocked. Two vantage points decide "dead": the console's own probe and every slave's IO thread.
 */
export async function preflight(actor: Actor, masterName: string, wanted?: string, opts: { automatic?: boolean } = {}): Promise<Preflight> {
  const master = await getEnvironment(actor, masterName);
  const topology = await discoverTopology(actor);
  const slaves = topology.nodes.filter((n) => n.master === master.name);
  const alive = await masterAlive(master);
  // Every connection reading from the master is a vantage point, multi-source ones included.
  const ioUp = topology.edges.filter((e) => e.from === master.name && e.ioRunning).length;
  const masterFacts = topology.nodes.find((n) => n.name === master.name)?.facts;
  const onDisk = alive && masterFacts ? null : await gtidsOnDisk(master);
  const masterPos = alive && masterFacts ? parseGtid(masterFacts.gtidBinlogPos) : (onDisk?.position ?? null);
  // Everything the master and each slave have executed or logged: a GTID known nowhere but on one candidate is errant.
  const knownBy = (f: ServerFacts | null | undefined) => (f ? [f.gtidBinlogState, f.gtidSlavePos, f.gtidCurrentPos] : []);

  const candidates: Candidate[] = slaves.map((s) => {
    const reasons: string[] = [];
    const f = s.facts;
    if (!f?.slave) reasons.push("not reachable");
    else {
      if (!f.logBin) reasons.push("binary logging is off: its own slaves would have nothing to read");
      if (f.connections.length > 1) reasons.push("replicates from other masters too (multi-source): as the master it would keep pulling their data");
      if (alive && explainSlave(f.slave).state !== "running") reasons.push(explainSlave(f.slave).message);
      const filters = ["Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table"].filter((k) => f.slave![k]);
      if (filters.length) reasons.push(`has replication filters (${filters.join(", ")}): it does not hold all the data`);
    }
    const gtid = f?.gtidSlavePos ?? "";
    // Without the master's history (dead, binlog not on this disk) and no other slave, nothing can be judged errant.
    const judged = (alive && masterFacts) || onDisk !== null || slaves.filter((o) => o !== s && o.facts).length > 0;
    const elsewhere = gtidState(...knownBy(masterFacts), onDisk?.gtids, ...slaves.filter((o) => o !== s).flatMap((o) => knownBy(o.facts)));
    const own = f && judged ? errantGtids(f.serverId, f.gtidBinlogState, elsewhere) : [];
    const errant = own.length ? own.join(",") : null;
    if (errant) reasons.push(`errant transactions (${errant}): writes made directly on this slave, which the others do not have`);
    return {
      name: s.name,
      gtid,
      errant,
      transactionsBehind: masterPos ? transactionsMissing(masterPos, parseGtid(gtid)) : 0,
      secondsBehind: f?.slave ? explainSlave(f.slave).secondsBehind : null,
      ok: reasons.length === 0,
      reasons,
    };
  });
  candidates.sort(
    (a, b) => compareProgress(parseGtid(a.gtid), parseGtid(b.gtid)) || Number(b.ok) - Number(a.ok) || (a.secondsBehind ?? 1e9) - (b.secondsBehind ?? 1e9),
  );
  const best = candidates.find((c) => c.ok) ?? null;
  let blocked: string | null = null;
  let chosen = wanted ?? best?.name ?? null;
  if (!slaves.length) blocked = `${master.name} has no slaves`;
  else if (!best) blocked = "No candidate can be promoted: " + candidates.map((c) => `${c.name}: ${c.reasons.join("; ")}`).join(" · ");
  else if (wanted) {
    const w = candidates.find((c) => c.name === wanted);
    if (!w) blocked = `${wanted} is not a slave of ${master.name}`;
    else if (!w.ok) blocked = `${wanted} cannot be promoted: ${w.reasons.join("; ")}`;
    else if (!alive && transactionsMissing(parseGtid(best.gtid), parseGtid(w.gtid)) > 0) blocked = `${wanted} is behind ${best.name}: the most advanced slave must be promoted`;
  }
  if (!alive && ioUp > 0) blocked = `The console cannot reach ${master.name}, but ${ioUp} slave(s) still receive from it: not failing over on one vantage point`;
  if (opts.automatic) {
    const owned = (await listEnvironments(actor)).filter((e) => e.ownerId === master.ownerId).map((e) => e.id);
    const recent = await db().operation.findFirst({
      where: { action: { in: ["topology.failover", "topology.switchover"] }, status: "succeeded", environmentId: { in: owned }, finishedAt: { gte: new Date(Date.now() - antiFlapMs()) } },
      orderBy: { finishedAt: "desc" },
    });
    if (recent) blocked = `A ${recent.action.split(".")[1]} of ${recent.target} finished ${Math.round((Date.now() - recent.finishedAt!.getTime()) / 1000)} s ago: automatic failover waits ${antiFlapMs() / 1000} s between changes (anti-flapping)`;
  }
  if (blocked) chosen = null;
  const lost = !alive && masterPos && chosen ? transactionsMissing(masterPos, parseGtid(candidates.find((c) => c.name === chosen)!.gtid)) : alive ? 0 : null;
  const chosenCandidate = candidates.find((c) => c.name === chosen);
  // A caught-up candidate needs only the promotion itself (~20 ms measured); a lagging one its catch-up first.
  const expectedReadOnlyMs = alive && chosenCandidate ? 20 + (chosenCandidate.secondsBehind ?? 0) * 1000 : null;
  return { master: master.name, masterAlive: alive, masterPosition: masterPos ? formatGtid(masterPos) : null, candidates, chosen, blocked, lost, expectedReadOnlyMs };
}

async function persistRole(actor: Actor, name: string, role: "master" | "slave") {
  await applyOptions(actor, name, role === "master" ? { "read-only": null } : { "read-only": "ON", "log-slave-updates": "ON" }, `Role: ${role} (switchover/failover)`, false);
}

export const switchoverInput = z.strictObject({ candidate: environmentName, demoteOldMaster: z.boolean().default(true) });

/**
 * Planned switchover (master alive): freeze the master (global read lock + read_only), wait until the candidate
 * has executed everything, promote it, repoint the other slaves, and optionally put the old master under it.
 */
export async function beginSwitchover(actor: Actor, masterName: string, raw: unknown) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(switchoverInput, raw);
  const report = await preflight(actor, master.name, input.candidate);
  if (!report.masterAlive) throw new ServiceError(409, "master_down", `${master.name} is down: use failover`);
  if (report.blocked) throw new ServiceError(409, "blocked", report.blocked);
  return beginOperation({ userId: actor.id, action: "topology.switchover", environmentId: master.id, target: master.name, params: input }, (step) =>
    topologyLock(master.ownerId, async () => {
      const candidate = await getEnvironment(actor, input.candidate);
      const others = report.candidates.map((c) => c.name).filter((n) => n !== candidate.name);
      const hold = await openRoot(master);
      let promoted = false;
      let fenced = false;
      try {
        await step(`freezing ${master.name} (read-only)`);
        const t0 = performance.now();
        // read_only first (it waits for commits in flight; later commits of ordinary accounts fail), then the
        // read lock, which also holds accounts that bypass read_only; their queued statements are killed below.
        await hold.query("SET GLOBAL read_only = 1");
        await hold.query("FLUSH TABLES WITH READ LOCK");
        const [[{ pos }]] = (await hold.query("SELECT @@gtid_binlog_pos AS pos")) as unknown as [{ pos: string }[]];
        await step(`waiting for ${candidate.name} to execute ${pos || "everything"}`);
        const caughtUp = await asRoot(candidate, async (c) => {
          const [[r]] = (await c.query("SELECT MASTER_GTID_WAIT(?, 30) AS w", [pos])) as unknown as [{ w: number }[]];
          return Number(r.w) === 0;
        });
        if (!caughtUp) throw new ServiceError(504, "catch_up_timeout", `${candidate.name} did not catch up within 30 s; ${master.name} was made writable again`);
        await step(`promoting ${candidate.name}`);
        await asRoot(candidate, async (c) => {
          await c.query("STOP SLAVE");
          await c.query("RESET SLAVE ALL");
          await c.query("SET GLOBAL read_only = 0");
        });
        promoted = true;
        // From here on a queued write must never reach the old master: sessions are killed now, again right
        // before the unlock, and in `finally` if anything in between fails.
        await killClientSessions(hold);
        await step("moving the writer endpoint to the new master");
        await followNewMaster(actor, master.name, candidate.name);
        const readOnlyMs = Math.round(performance.now() - t0);
        await step(`fencing ${master.name}: closing its client sessions`);
        await killClientSessions(hold);
        await hold.query("UNLOCK TABLES"); // read_only stays on: the old master is fenced
        fenced = true;
        // The roles in my.cnf at once: restarted later, the new master is writable and the old one read-only.
        await persistRole(actor, candidate.name, "master").catch((e) => step(`could not remove read-only from ${candidate.name}'s my.cnf: ${(e as Error).message}`));
        await persistRole(actor, master.name, "slave").catch((e) => step(`could not write read-only into ${master.name}'s my.cnf: ${(e as Error).message}`));
        const login = await ensureReplicationAccount(candidate);
        await step(`repointing ${others.length ? others.join(", ") : "no other slaves"}`);
        const repointed = await repointAll(actor, others, login, step);
        await repointNamedConnections(actor, master.name, candidate.name, login, step);
        if (input.demoteOldMaster) {
          await step(`putting ${master.name} under ${candidate.name}`);
          await asRoot(master, async (c) => {
            await c.query("SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos");
            await changeMaster(c, { ...login, mode: "gtid" });
            await c.query("START SLAVE");
          });
        }
        await Promise.all([...repointed, ...(input.demoteOldMaster ? [master.name] : [])].map(async (n) => waitReplicating(await getEnvironment(actor, n))));
        await step("done");
        return { newMaster: candidate.name, readOnlyMs, repointed, notRepointed: others.filter((n) => !repointed.includes(n)), oldMaster: input.demoteOldMaster ? "slave" : "read-only" };
      } catch (e) {
        if (!promoted) await hold.query("SET GLOBAL read_only = 0").catch(() => undefined); // abort: the old master takes writes again
        throw e;
      } finally {
        if (promoted && !fenced) await killClientSessions(hold).catch(() => undefined);
        hold.destroy();
      }
    }),
  );
}

/**
 * The other slaves follow the new master. Best effort: the new master is already serving, so one slave that
 * cannot be repointed is reported in the steps (and the result), not a reason to abort half-way.
 */
async function repointAll(actor: Actor, names: string[], login: ReplicationLogin, step: (s: string) => Promise<void>): Promise<string[]> {
  const results = await Promise.all(
    names.map(async (n) => {
      try {
        await pointAt(await getEnvironment(actor, n), login);
        return n;
      } catch (e) {
        await step(`could not repoint ${n}: ${(e as Error).message} (point it at the new master from its Topology tab)`);
        return null;
      }
    }),
  );
  return results.filter((n): n is string => n !== null);
}

/**
 * Named (multi-source) connections that read from the old master follow the new one too: by GTID, which the
 * new master shares with the old. A connection on file/position cannot be carried over: the step says so.
 */
async function repointNamedConnections(actor: Actor, oldMaster: string, newMaster: string, login: ReplicationLogin, step: (s: string) => Promise<void>) {
  const named = (await discoverTopology(actor)).edges.filter((e) => e.from === oldMaster && e.connection !== "");
  for (const e of named) {
    try {
      const env = await getEnvironment(actor, e.to);
      const usesGtid = (await asRoot(env, (c) => slaveStatus(c, e.connection)))?.Using_Gtid !== "No";
      if (!usesGtid) {
        await step(`${e.to}'s connection '${e.connection}' uses file/position: point it at ${newMaster} by hand (Replication → Add source)`);
        continue;
      }
      await step(`repointing ${e.to}'s connection '${e.connection}' to ${newMaster}`);
      await asRoot(env, async (c) => {
        await changeMaster(c, { ...login, mode: "gtid" }, e.connection);
        await c.query("START SLAVE ?", [e.connection]);
      });
    } catch (err) {
      await step(`could not repoint ${e.to}'s connection '${e.connection}': ${(err as Error).message}`);
    }
  }
}

export const failoverInput = z.strictObject({ candidate: environmentName.optional() });

/**
 * Failover (master dead): let every slave apply what it received, promote the most advanced, repoint the rest,
 * and keep the old master down (desired state stopped) so it never comes back as a second writer.
 */
export async function beginFailover(actor: Actor, masterName: string, raw: unknown, opts: { automatic?: boolean } = {}) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(failoverInput, raw);
  return beginOperation({ userId: actor.id, action: "topology.failover", environmentId: master.id, target: master.name, params: input }, (step) =>
    topologyLock(master.ownerId, async () => {
      const t0 = performance.now();
      await step("checking the master from the console and from its slaves");
      let report = await preflight(actor, master.name, input.candidate, opts);
      if (report.masterAlive) throw new ServiceError(409, "master_alive", `${master.name} is alive: use switchover instead`);
      const slaves = report.candidates.filter((c) => !c.reasons.includes("not reachable"));
      await step("letting every slave apply what it received");
      await Promise.all(
        slaves.map(async (s) => {
          const env = await getEnvironment(actor, s.name);
          await asRoot(env, async (c) => {
            const row = await slaveStatus(c);
            // A SQL thread stopped without an error still holds received events: let it apply them.
            if (row && row.Slave_SQL_Running !== "Yes" && !Number(row.Last_SQL_Errno)) await c.query("START SLAVE SQL_THREAD");
            if (row?.Gtid_IO_Pos && !Number(row.Last_SQL_Errno)) await c.query("SELECT MASTER_GTID_WAIT(?, 5)", [row.Gtid_IO_Pos]);
            await c.query("STOP SLAVE");
          });
        }),
      );
      report = await preflight(actor, master.name, input.candidate, opts);
      if (report.blocked || !report.chosen) throw new ServiceError(409, "blocked", report.blocked ?? "No candidate");
      const chosen = await getEnvironment(actor, report.chosen);
      await step(`promoting ${chosen.name}`);
      await asRoot(chosen, async (c) => {
        await c.query("RESET SLAVE ALL");
        await c.query("SET GLOBAL read_only = 0");
      });
      const promotionMs = Math.round(performance.now() - t0);
      await followNewMaster(actor, master.name, chosen.name);
      const endpointMs = Math.round(performance.now() - t0);
      await db().environment.update({
        where: { id: master.id },
        data: { desiredState: "stopped", status: "down", statusDetail: `Failed over to ${chosen.name}. Start it only to re-seed it as a slave: it may hold transactions nobody else has.` },
      });
      const login = await ensureReplicationAccount(chosen);
      const others = report.candidates.map((c) => c.name).filter((n) => n !== chosen.name && slaves.some((s) => s.name === n));
      // Fencing the unreachable old master first: if anybody starts it again, it comes up read-only.
      await step(`fencing ${master.name}: read-only when it starts again`);
      await persistRole(actor, master.name, "slave").catch((e) => step(`could not write read-only into ${master.name}'s my.cnf: ${(e as Error).message}`));
      await persistRole(actor, chosen.name, "master").catch((e) => step(`could not remove read-only from ${chosen.name}'s my.cnf: ${(e as Error).message}`));
      await step(`repointing ${others.length ? others.join(", ") : "no other slaves"}`);
      const repointed = await repointAll(actor, others, login, step);
      await repointNamedConnections(actor, master.name, chosen.name, login, step);
      await Promise.all(repointed.map(async (n) => waitReplicating(await getEnvironment(actor, n))));
      await step("done");
      return { newMaster: chosen.name, lostTransactions: report.lost, promotionMs, endpointMs, repointed, notRepointed: others.filter((n) => !repointed.includes(n)) };
    }),
  );
}

export const failoverPolicyInput = z.strictObject({
  autoFailover: z.boolean(),
  graceSec: z.number().int().min(2).max(3600).optional(),
  /** The policy revision the form showed (environment → failoverPolicyRevision); a newer one refuses the save. */
  baseRevision: z.number().int().min(0).optional(),
});

export async function getFailoverPolicy(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return { autoFailover: env.autoFailover, graceSec: env.failoverGraceSec, revision: env.failoverPolicyRevision, updatedBy: env.failoverPolicyBy, updatedAt: env.failoverPolicyAt };
}

export async function setFailoverPolicy(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { baseRevision, ...input } = parseInput(failoverPolicyInput, raw);
  // Compare-and-set in the store when the caller names its base; without one, last writer wins.
  const { count } = await db().environment.updateMany({
    where: { id: env.id, ...(baseRevision !== undefined ? { failoverPolicyRevision: baseRevision } : {}) },
    data: {
      autoFailover: input.autoFailover,
      ...(input.graceSec ? { failoverGraceSec: input.graceSec } : {}),
      failoverPolicyRevision: { increment: 1 },
      failoverPolicyBy: actor.email,
      failoverPolicyAt: new Date(),
    },
  });
  const now = await getEnvironment(actor, name);
  if (count === 0) throw staleEdit("The failover policy", now.failoverPolicyBy, now.failoverPolicyAt, { baseRevision, currentRevision: now.failoverPolicyRevision });
  return { ...input, revision: now.failoverPolicyRevision };
}
