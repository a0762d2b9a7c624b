// Point-in-time recovery: "Restore to…" any second (or GTID) the archive covers, into a new environment — the
// newest backup before it, then the archived binary logs replayed up to the target, across switchovers and
// failovers (each era's files from where the previous one forked).
import { spawn } from "node:child_process";
import fs from "node:fs";
import { Transform } from "node:stream";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { deleteEnvironment, findEnvironment, getEnvironment, DEFAULT_MEMORY_MB } from "@/lib/environments/service";
import { ServiceError, notFound } from "@/lib/errors";
import type { DumpSource } from "@/lib/mariadb/dump";
import { loadSql } from "@/lib/mariadb/load";
import { formatGtid, includes, parseGtid, type GtidPosition } from "@/lib/mariadb/gtid";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { assertQuotaAllows } from "@/lib/quotas";
import { parseInput } from "@/lib/validation";
import { login } from "./archive";
import { headerLines, loadDir } from "./binlog-files";
import { planRecovery, recoveryView, type ReplayStep, type Target } from "./recovery-window";
import { beginRestore } from "./restore";

export const pointInTimeInput = z
  .strictObject({
    name: environmentName,
    /** UTC, to the second ("2026-12-04 08:10:05" or ISO 8601): every transaction committed at or before it. */
    time: z
      .string()
      .regex(/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?Z?$/, "Time must look like 2026-12-04 08:10:05 (UTC)")
      .optional(),
    /** Or a GTID: every transaction up to and including it. */
    gtid: z
      .string()
      .regex(/^\d+-\d+-\d+(,\d+-\d+-\d+)*$/, "GTID must look like 0-1-42")
      .optional(),
  })
  .refine((v) => !!v.time !== !!v.gtid, "Give either a time or a GTID to restore to");

const parseTime = (t: string) => new Date(`${t.replace(" ", "T")}${t.endsWith("Z") ? "" : "Z"}`);
const sqlTime = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ");

/** The archive an environment's page shows: the one switched on there, or the one streaming from it now. */
export async function archiveOf(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return (
    (await db().binlogArchive.findUnique({ where: { environmentId: env.id } })) ??
    (await db().binlogArchive.findFirst({ where: { masterId: env.id } }))
  );
}

export async function pointInTimeView(actor: Actor, name: string) {
  const archive = await archiveOf(actor, name);
  if (!archive) return null;
  const [files, backups] = await Promise.all([
    db().archivedBinlog.findMany({ where: { archiveId: archive.id } }),
    db().backup.findMany({ where: { ownerId: archive.ownerId } }),
  ]);
  return { enabled: archive.enabled, state: archive.state, ...recoveryView(archive, files, backups) };
}

/**
 * One archived file through `mariadb-binlog` into the server, from `state` (exclusive) to the step's stop. Returns
 * the GTIDs it replayed. Loaded like an import (--binary-mode, --local-infile=0): nothing in a tenant's binary log
 * can make the client run a command or send a file of this machine.
 */
async function replayFile(path: string, state: GtidPosition, stop: ReplayStep["stop"], into: DumpSource) {
  const local = loadDir();
  const args = ["--base64-output=auto", `--local-load=${local}`, `--start-position=${formatGtid(state)}`];
  if (stop && "time" in stop) args.push(`--stop-datetime=${sqlTime(new Date(stop.time.getTime() + 1000))}`);
  if (stop && "gtid" in stop) args.push(`--stop-position=${formatGtid(stop.gtid)}`);
  const reader = spawn("mariadb-binlog", [...args, path], {
    env: { ...process.env, TZ: "UTC" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let readerErr = "";
  reader.stderr.on("data", (d) => (readerErr = (readerErr + d).slice(-2000)));
  const read = new Promise<number>((resolve) => reader.once("close", (code) => resolve(code ?? 1)));
  const replayed: string[] = [];
  const headers = headerLines((l) => replayed.push(...(/\bGTID (\d+-\d+-\d+)/.exec(l)?.slice(1) ?? [])));
  const watch = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      headers.write(chunk);
      cb(null, chunk);
    },
  });
  try {
    // The same client as an import: --binary-mode, --local-infile=0 (see loadSql).
    await loadSql(into, null, reader.stdout.pipe(watch), () => undefined, new AbortController().signal);
  } finally {
    fs.rmSync(local, { recursive: true, force: true });
  }
  if ((await read) !== 0)
    throw new ServiceError(500, "replay_failed", `mariadb-binlog could not read ${path}`, readerErr.split("\n"));
  return replayed;
}

export async function beginPointInTimeRestore(actor: Actor, name: string, raw: unknown) {
  const archive = await archiveOf(actor, name);
  const input = parseInput(pointInTimeInput, raw);
  if (!archive) throw notFound("Binary log archive");
  if (await findEnvironment(actor, input.name))
    throw new ServiceError(
      409,
      "name_taken",
      `"${input.name}" exists: a point-in-time restore makes a new environment`,
    );
  await assertQuotaAllows(actor, { environments: 1, memoryMb: DEFAULT_MEMORY_MB });
  const target: Target = input.time ? { time: parseTime(input.time) } : { gtid: parseGtid(input.gtid) };
  if ("time" in target && Number.isNaN(target.time.getTime()))
    throw new ServiceError(400, "invalid_request", "Time is not a valid date");
  const [files, backups] = await Promise.all([
    db().archivedBinlog.findMany({ where: { archiveId: archive.id } }),
    db().backup.findMany({ where: { ownerId: archive.ownerId } }),
  ]);
  const plan = planRecovery(archive, files, backups, target);
  if ("refused" in plan) throw new ServiceError(409, "not_recoverable", plan.refused);
  const goal = input.time ? `${sqlTime(parseTime(input.time))} UTC` : input.gtid!;
  return beginOperation(
    {
      userId: actor.id,
      action: "backup.point-in-time",
      target: input.name,
      params: { from: name, to: goal, backup: plan.base.id },
    },
    async (step) => {
      await step(
        `restoring the backup of ${plan.base.environmentName} taken ${plan.base.finishedAt!.toISOString()} (at ${plan.base.gtidPosition}) into ${input.name}`,
      );
      await (
        await beginRestore(actor, plan.base.id, { name: input.name })
      ).done;
      try {
        const into = login(await getEnvironment(actor, input.name));
        let state = parseGtid(plan.base.gtidPosition);
        let count = 0;
        for (const s of plan.steps) {
          const until = s.stop && "time" in s.stop ? "the target time" : s.stop ? formatGtid(s.stop.gtid) : "the end";
          await step(`replaying ${s.era}'s archived binary logs (${s.files.length} files) up to ${until}`);
          for (const f of s.files) {
            for (const gtid of await replayFile(f.path, state, s.stop, into)) {
              state = new Map([...state, ...parseGtid(gtid)]);
              count++;
            }
            const done =
              s.stop &&
              ("time" in s.stop
                ? (f.lastEventAt?.getTime() ?? 0) > s.stop.time.getTime()
                : includes(state, s.stop.gtid));
            if (done) break;
          }
        }
        await step(`replayed ${count} transactions: ${input.name} is at ${formatGtid(state)} (${goal})`);
        return { name: input.name, gtid: formatGtid(state), transactions: count, backup: plan.base.id };
      } catch (e) {
        await deleteEnvironment(actor, input.name).catch(() => undefined);
        throw e;
      }
    },
  );
}
