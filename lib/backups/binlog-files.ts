// What each archived binary log holds, read back from the file itself: the GTID state before its first event (its
// Gtid list), the state after its last, and the times of its first and last transactions.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { db } from "@/lib/db/client";
import { binlogGtidReader, gtidState, includes, latestPerDomain } from "@/lib/mariadb/gtid";

const BINLOG_FILE = /^[A-Za-z0-9_.-]+\.[0-9]{6}$/;

/** "#261204  8:03:44 server id 5 …": mariadb-binlog prints event times in its TZ (UTC here). */
function eventTime(line: string): Date | null {
  const m = /^#(\d\d)(\d\d)(\d\d)\s+(\d{1,2}):(\d\d):(\d\d) server id/.exec(line);
  return m ? new Date(Date.UTC(2000 + +m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

export interface BinlogSummary {
  startState: string;
  endState: string;
  firstEventAt: Date | null;
  lastEventAt: Date | null;
}

const MAX_HEADER = 4096;

/**
 * Calls `onLine` with each line of `input` that starts with "#" (mariadb-binlog's event headers), never holding
 * more than 4 kB of a line: a tenant's 600 MB statement passes through without being kept.
 */
export function headerLines(onLine: (line: string) => void) {
  let line: Buffer[] = [];
  let size = 0;
  let header: boolean | null = null;
  const take = (chunk: Buffer) => {
    if (header === null) header = chunk[0] === 35; // "#"
    if (header && size < MAX_HEADER) {
      line.push(chunk.subarray(0, MAX_HEADER - size));
      size += chunk.length;
    }
  };
  return {
    write(chunk: Buffer) {
      let from = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
        if (nl > from) take(chunk.subarray(from, nl));
        if (header) onLine(Buffer.concat(line).toString("latin1"));
        line = [];
        size = 0;
        header = null;
        from = nl + 1;
      }
      if (from < chunk.length) take(chunk.subarray(from));
    },
  };
}

/** A private directory for what mariadb-binlog unpacks from LOAD DATA events, removed by the caller. */
export const loadDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "mariner-binlog-"));

/**
 * Reads one archived file (its last event may still be arriving: what was read before it counts). Row events are
 * decoded to headers only (--base64-output=decode-rows: "never" would stop at the first one).
 */
export async function summarise(file: string): Promise<BinlogSummary> {
  const local = loadDir();
  const child = spawn("mariadb-binlog", ["--base64-output=decode-rows", `--local-load=${local}`, file], {
    env: { ...process.env, TZ: "UTC" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  child.once("error", () => undefined);
  const list = binlogGtidReader();
  const own = binlogGtidReader();
  let startState = "";
  let firstEventAt: Date | null = null;
  let lastEventAt: Date | null = null;
  const lines: string[] = [];
  const splitter = headerLines((l) => lines.push(l));
  try {
    for await (const chunk of child.stdout) {
      splitter.write(chunk as Buffer);
      for (const line of lines.splice(0)) read(line);
    }
  } finally {
    fs.rmSync(local, { recursive: true, force: true });
  }
  function read(line: string) {
    list.line(line);
    if (line.includes("Gtid list [")) startState = list.result().gtids;
    if (/\bGTID \d+-\d+-\d+/.test(line)) {
      own.line(line);
      const at = eventTime(line);
      firstEventAt ??= at;
      lastEventAt = at ?? lastEventAt;
    }
  }
  const endState = [...gtidState(startState, own.result().gtids)].map(([k, seq]) => `${k}-${seq}`).join(",");
  return { startState, endState, firstEventAt, lastEventAt };
}

/** Records new and grown files of every segment of an archive (a file is re-read only when its size changed). */
export async function recordSegmentFiles(archiveId: string, dir: string) {
  if (!fs.existsSync(dir)) return;
  const known = new Map(
    (await db().archivedBinlog.findMany({ where: { archiveId } })).map((f) => [`${f.segment}/${f.fileName}`, f]),
  );
  for (const segment of fs.readdirSync(dir)) {
    const m = /^([A-Za-z0-9]+)-(\d+)-e\d+(?:-r\d+)?$/.exec(segment);
    if (!m) continue;
    const files = fs.readdirSync(path.join(dir, segment)).filter((f) => BINLOG_FILE.test(f));
    for (const fileName of files) {
      const file = path.join(dir, segment, fileName);
      const size = fs.statSync(file).size;
      const row = known.get(`${segment}/${fileName}`);
      if (row && row.sizeBytes === size) continue;
      const summary = await summarise(file);
      const source = await db().environment.findUnique({ where: { id: m[1] }, select: { name: true } });
      await db().archivedBinlog.upsert({
        where: { archiveId_segment_fileName: { archiveId, segment, fileName } },
        create: {
          archiveId,
          segment,
          fileName,
          path: file,
          sizeBytes: size,
          sourceEnvironmentId: m[1],
          sourceName: source?.name ?? m[1],
          serverId: Number(m[2]),
          ...summary,
        },
        update: { sizeBytes: size, ...summary },
      });
    }
  }
}

/**
 * Pruned together with the backups they extend: a file holding nothing after the oldest remaining backup's
 * position is of no use to any recovery. A segment's newest file (perhaps still being written) always stays.
 */
export async function pruneArchivedBefore(archiveId: string, oldestBase: string): Promise<number> {
  const base = latestPerDomain(oldestBase);
  const files = await db().archivedBinlog.findMany({ where: { archiveId }, orderBy: { fileName: "asc" } });
  const newest = new Map(files.map((f) => [f.segment, f.fileName]));
  let pruned = 0;
  for (const f of files) {
    if (newest.get(f.segment) === f.fileName || !f.endState) continue;
    if (!includes(base, latestPerDomain(f.endState))) continue;
    fs.rmSync(f.path, { force: true });
    await db().archivedBinlog.delete({ where: { id: f.id } });
    pruned++;
  }
  return pruned;
}
