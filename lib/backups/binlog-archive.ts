// The binlog archive: a topology master's binary logs streamed continuously into the backup store
// (`mariadb-binlog --read-from-remote-server --raw --stop-never`), following the master across switchover and
// failover. Each master's files land in a segment of their own (its environment and server id), so two masters'
// mysql-bin.000001 never collide; what each file holds is recorded by reading it back (binlog-files.ts).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { allSlaveStatus } from "@/lib/mariadb/replication";
import { clientTlsArgs } from "@/lib/mariadb/transport";
import { dataDir } from "@/lib/paths";
import { ensureReplicationAccount } from "@/lib/topology/account";
import { requireBinlog } from "@/lib/topology/steps";
import { parseInput } from "@/lib/validation";
import { recordSegmentFiles } from "./binlog-files";
import { erasOf } from "./recovery-window";

export const archiveInput = z.strictObject({ enabled: z.boolean() });

export const archiveDir = (archiveId: string) => path.join(dataDir(), "binlog-archive", archiveId);
/**
 * "<environment>-<server id>-e<era>[-r<n>]": each era of the archive (a master's turn) has its own, and a master
 * whose binary log started over (its data replaced) gets a new one — an archived file is never overwritten.
 */
export const segmentOf = (environmentId: string, serverId: number, era: number, restart = 0) =>
  `${environmentId}-${serverId}-e${era}${restart ? `-r${restart}` : ""}`;

/** Archive on or off for a master (a slave's binary logs are its master's: archive the master). */
export async function setBinlogArchive(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { enabled } = parseInput(archiveInput, raw);
  if (enabled) {
    await requireBinlog(env, "there is nothing to archive");
    const sources = await asRoot(env, allSlaveStatus);
    if (sources.length)
      throw new ServiceError(
        409,
        "is_slave",
        `${env.name} is a slave: archive its master's binary logs (the archive follows the master through switchover and failover)`,
      );
    const lineage = await db().binlogArchive.findFirst({ where: { masterId: env.id, NOT: { environmentId: env.id } } });
    if (lineage)
      throw new ServiceError(
        409,
        "already_archived",
        `${env.name}'s binary logs are already archived (switched on elsewhere in its topology)`,
      );
  }
  const existing = await db().binlogArchive.findUnique({ where: { environmentId: env.id } });
  const archive = existing
    ? await db().binlogArchive.update({ where: { id: existing.id }, data: { enabled } })
    : await db().binlogArchive.create({
        data: {
          ownerId: env.ownerId,
          environmentId: env.id,
          masterId: env.id,
          enabled,
          eras: JSON.stringify([{ masterId: env.id, name: env.name, since: new Date().toISOString() }]),
        },
      });
  if (!enabled) stopStreamer(archive.id);
  return archive;
}

/** Switchover and failover: the archive streams from the new master from now on (a new era, a new segment). */
export async function handOverArchive(oldMaster: EnvironmentWithNodes, newMaster: EnvironmentWithNodes) {
  for (const a of await db().binlogArchive.findMany({ where: { masterId: oldMaster.id } })) {
    const eras = [...erasOf(a), { masterId: newMaster.id, name: newMaster.name, since: new Date().toISOString() }];
    await db().binlogArchive.update({
      where: { id: a.id },
      data: { masterId: newMaster.id, eras: JSON.stringify(eras) },
    });
  }
}

interface Streamer {
  masterId: string;
  segment: string;
  child: ChildProcess;
  exited: string[] | null;
}
const g = globalThis as unknown as { marinerStreamers?: Map<string, Streamer>; marinerArchiver?: NodeJS.Timeout };
const streamers = (g.marinerStreamers ??= new Map());

function stopStreamer(archiveId: string) {
  const s = streamers.get(archiveId);
  if (s && s.exited === null) s.child.kill("SIGTERM");
  streamers.delete(archiveId);
}

/** Stops every streamer of this process (tests, shutdown). */
export function stopArchiver() {
  if (g.marinerArchiver) clearInterval(g.marinerArchiver);
  g.marinerArchiver = undefined;
  for (const id of [...streamers.keys()]) stopStreamer(id);
}

const setState = (id: string, state: string) =>
  db().binlogArchive.update({ where: { id }, data: { state, stateAt: new Date() } });

async function binlogNames(master: EnvironmentWithNodes): Promise<string[]> {
  return asRoot(master, async (c) => {
    // A tenant's lock must not hold the archiver: this server's turn fails after 10 s and is tried again.
    await c.query("SET SESSION lock_wait_timeout = 10, max_statement_time = 10");
    const [rows] = await c.query("SHOW BINARY LOGS");
    return (rows as { Log_name: string }[]).map((r) => String(r.Log_name));
  });
}

/**
 * A streamer for the archive's current master: from the last file its segment archived (again, whole), or from
 * its first binary log — in a new segment when the last archived file is no longer on the server (its binary
 * log started over), so nothing archived is overwritten.
 */
async function startStreamer(archiveId: string, era: number, master: EnvironmentWithNodes) {
  const node = master.nodes[0];
  const prefix = segmentOf(master.id, node.serverId, era);
  const rows = await db().archivedBinlog.findMany({
    where: { archiveId, segment: { startsWith: prefix } },
    orderBy: [{ createdAt: "desc" }, { fileName: "desc" }],
  });
  const names = await binlogNames(master);
  const last = rows[0];
  const continues = !!last && names.includes(last.fileName);
  const segment = continues
    ? last.segment
    : segmentOf(master.id, node.serverId, era, new Set(rows.map((r) => r.segment)).size);
  const dir = path.join(archiveDir(archiveId), segment);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const from = continues ? last.fileName : names[0];
  const login = await ensureReplicationAccount(master);
  // setpriv --pdeathsig: the streamer goes when the console goes (however it ends), never left running unowned.
  const child = spawn(
    "setpriv",
    [
      "--pdeathsig",
      "TERM",
      "--",
      "mariadb-binlog",
      "--read-from-remote-server",
      "--raw",
      "--stop-never",
      // A server id of its own (MariaDB refuses two binlog readers with one id).
      `--stop-never-slave-server-id=${4_000_000_000 + (node.serverId % 100_000_000)}`,
      `--host=${login.host}`,
      `--port=${login.port}`,
      `--user=${login.user}`,
      ...clientTlsArgs(login.host),
      `--result-file=${dir}/`,
      "--",
      from,
    ],
    { env: { ...process.env, MYSQL_PWD: login.password }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const s: Streamer = { masterId: master.id, segment, child, exited: null };
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  child.once("error", (e) => (s.exited = [e.message]));
  child.once("close", (code) => {
    s.exited = stderr.split("\n").filter(Boolean).slice(-5);
    if (!s.exited.length) s.exited = [`mariadb-binlog exited (${code})`];
  });
  streamers.set(archiveId, s);
  await setState(archiveId, `streaming from ${master.name} (from ${from})`);
}

const inFlight = new Set<string>();

/**
 * One pass: each enabled archive streams from its current master, and what arrived is recorded. Archives are
 * looked after independently: one whose server stalls (a tenant's lock) never holds up another's.
 */
export async function archiveOnce() {
  const archives = await db().binlogArchive.findMany({ where: { enabled: true } });
  for (const [id] of streamers) if (!archives.some((a) => a.id === id)) stopStreamer(id);
  await Promise.all(
    archives
      .filter((a) => !inFlight.has(a.id))
      .map(async (a) => {
        inFlight.add(a.id);
        try {
          await tendArchive(a);
        } finally {
          inFlight.delete(a.id);
        }
      }),
  );
}

async function tendArchive(a: { id: string; masterId: string; eras: string }) {
  try {
    const running = streamers.get(a.id);
    if (running && (running.masterId !== a.masterId || running.exited)) {
      if (running.exited) await setState(a.id, `stream from ${running.segment} stopped: ${running.exited.join(" ")}`);
      stopStreamer(a.id);
    }
    if (!streamers.has(a.id)) {
      const master = await db().environment.findUnique({ where: { id: a.masterId }, include: { nodes: true } });
      if (!master) await setState(a.id, "waiting: its master is gone");
      else if (master.status !== "running") await setState(a.id, `waiting: ${master.name} is ${master.status}`);
      else await startStreamer(a.id, erasOf(a).length - 1, master);
    }
    await recordSegmentFiles(a.id, archiveDir(a.id));
  } catch (e) {
    await setState(a.id, `error: ${(e as Error).message}`).catch(() => undefined);
  }
}

export function startArchiver(intervalMs = 1000) {
  if (g.marinerArchiver) return;
  let busy = false;
  g.marinerArchiver = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await archiveOnce();
    } catch (e) {
      console.error("Mariner binlog archive:", (e as Error).message);
    } finally {
      busy = false;
    }
  }, intervalMs);
  g.marinerArchiver.unref();
}
