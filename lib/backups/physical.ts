// Physical backups: a mariadb-backup stream of one server, gzip'd and hashed on its way to the file; read back
// whole before it counts; restored by unpacking it into a server's data directory (the runtime's physical copier).
import crypto from "node:crypto";
import fs from "node:fs";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { db } from "@/lib/db/client";
import { primaryNode, type EnvironmentWithNodes } from "@/lib/environments/service";
import { nodeRefOf } from "@/lib/environments/spec";
import { ServiceError } from "@/lib/errors";
import { driverFor } from "@/lib/runtime";
import { RuntimeError, type BackupLog } from "@/lib/runtime/driver";

/** Whether the environment's runtime can take or restore a physical backup (it reaches the data directory). */
export const physicalPossible = (env: EnvironmentWithNodes) => !!driverFor(env.runtime).physical;

const failed = (what: string, e: unknown) =>
  e instanceof RuntimeError ? new ServiceError(500, "backup_failed", `${what}: ${e.message}`, e.serverLines) : e;

/** mariadb-backup → gzip → file. Returns its size, SHA-256 and the positions mariadb-backup logged. */
export async function physicalBackupTo(source: EnvironmentWithNodes, file: string) {
  const backup = driverFor(source.runtime).physical!.backup(nodeRefOf(primaryNode(source)));
  const hash = crypto.createHash("sha256");
  const hashing = new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    const [, log] = await Promise.all([
      pipeline(
        backup.stream!,
        zlib.createGzip({ level: 1 }),
        hashing,
        fs.createWriteStream(file, { mode: 0o600, flags: "wx" }),
      ),
      backup.done,
    ]);
    return { sha256: hash.digest("hex"), size: fs.statSync(file).size, log: log as BackupLog };
  } catch (e) {
    backup.cancel();
    throw failed(`mariadb-backup of ${source.name} failed`, e);
  }
}

/**
 * The file read back whole: its SHA-256 is the recorded one, gzip's own checksum holds to the end, and the stream
 * carries the file mariadb-backup writes last (xtrabackup_checkpoints), so a copy stopped early never passes.
 */
export async function inspectPhysical(file: string, expectedSha256: string | null): Promise<{ bytes: number }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  let tail = Buffer.alloc(0);
  let sawCheckpoints = false;
  const marker = Buffer.from("xtrabackup_checkpoints");
  try {
    await pipeline(
      fs.createReadStream(file),
      new Transform({
        transform(chunk, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      }),
      zlib.createGunzip(),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          const window = Buffer.concat([tail, chunk]);
          if (window.includes(marker)) sawCheckpoints = true;
          tail = window.subarray(Math.max(0, window.length - marker.length));
          cb();
        },
      }),
    );
  } catch (e) {
    throw new ServiceError(422, "backup_damaged", `The backup file cannot be read back: ${(e as Error).message}`);
  }
  if (expectedSha256 && hash.digest("hex") !== expectedSha256)
    throw new ServiceError(422, "backup_damaged", "The backup file's SHA-256 no longer matches the one recorded");
  if (!sawCheckpoints)
    throw new ServiceError(422, "backup_damaged", "The backup stream ends before mariadb-backup's last file");
  return { bytes };
}

/**
 * Call under the environment's lock (the monitor must not restart the server meanwhile).
 * Replaces `target`'s data with the backup (its my.cnf stays; root keeps the target's own password), keeping the
 * previous data aside until the server runs on the new one. On failure the previous data runs again.
 */
export async function restorePhysical(target: EnvironmentWithNodes, file: string) {
  const driver = driverFor(target.runtime);
  if (!driver.physical)
    throw new ServiceError(409, "physical_unavailable", `${target.name}'s runtime cannot restore a physical backup`);
  const node = primaryNode(target);
  const gunzip = zlib.createGunzip();
  const read = pipeline(fs.createReadStream(file), gunzip);
  read.catch(() => undefined);
  try {
    const { node: started } = await driver.physical.receive(nodeRefOf(node), gunzip, read);
    await db().node.update({ where: { id: node.id }, data: { pid: started.pid, startedAt: new Date() } });
  } catch (e) {
    const back = await driver.start(nodeRefOf(node)).catch(() => null);
    if (back) await db().node.update({ where: { id: node.id }, data: { pid: back.pid, startedAt: new Date() } });
    throw e instanceof RuntimeError
      ? new ServiceError(500, "restore_failed", `Restoring the physical backup failed: ${e.message}`, e.serverLines)
      : e;
  }
}
