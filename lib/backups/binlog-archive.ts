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
import { clientTlsArgs } from "@/lib/mariadb/transport";
import { dataDir } from "@/lib/paths";
import { ensureReplicationAccount } from "@/lib/topology/account";
import { requireBinlog } from "@/lib/topology/steps";
import { parseInput } from "@/lib/validation";
import { recordSegmentFiles } from "./binlog-files";
import { erasOf } from "./recovery-window";

export const archiveInput = z.strictObject({ enabled: z.boolean() });

export const archiveDir = (archiveId: string) => path.join(dataDir(), "binlog-archive", archiveId);
export const segmentOf = (environmentId: string, serverId: number) => `${environmentId}-${serverId}`;

/** Archive on or off for a master (a slave's binary logs are its master's: archive the master). */
export async function setBinlogArchive(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const { enabled } = parseInput(archiveInput, raw);
  if (enabled) {
    await requireBinlog(env, "there is nothing to archive");
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

async function firstBinlog(master: EnvironmentWithNodes): Promise<string> {
  return asRoot(master, async (c) => {
    const [rows] = await c.query("SHOW BINARY LOGS");
    return String((rows as { Log_name: string }[])[0].Log_name);
  });
}

/** A streamer for the archive's current master: from the last file it archived (again, whole) or its first. */
async function startStreamer(archiveId: string, master: EnvironmentWithNodes) {
  const node = master.nodes[0];
  const segment = segmentOf(master.id, node.serverId);
  const dir = path.join(archiveDir(archiveId), segment);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const last = await db().archivedBinlog.findFirst({
    where: { archiveId, segment },
    orderBy: { fileName: "desc" },
  });
  const from = last?.fileName ?? (await firstBinlog(master));
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

/** One pass: each enabled archive streams from its current master, and what arrived is recorded. */
export async function archiveOnce() {
  const archives = await db().binlogArchive.findMany({ where: { enabled: true } });
  for (const [id] of streamers) if (!archives.some((a) => a.id === id)) stopStreamer(id);
  for (const a of archives) {
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
        else await startStreamer(a.id, master);
      }
      await recordSegmentFiles(a.id, archiveDir(a.id));
    } catch (e) {
      await setState(a.id, `error: ${(e as Error).message}`).catch(() => undefined);
    }
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
