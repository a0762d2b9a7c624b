import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { asRoot } from "@/lib/environments/root";
import { deleteEnvironment, getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { runOperation } from "@/lib/operations";
import { tableFacts } from "@/lib/mariadb/facts";
import { getBackup } from "./take";
import { beginRestore } from "./restore";
// Test restore: load the latest backup into a temporary environment and compare what was recorded.

/**
 * Test restore: the backup goes into a temporary environment, every table's row count is compared with what
 * was recorded at backup time, and the temporary environment is deleted. The verdict is kept on the backup.
 */
export async function verifyBackup(actor: Actor, backupId: string) {
  const backup = await getBackup(actor, backupId);
  const name = `verify-${backup.id.slice(-8)}`;
  return runOperation(
    {
      userId: actor.id,
      action: "backup.verify",
      environmentId: backup.environmentId,
      target: backup.environmentName,
      params: { backup: backup.id },
    },
    async () => {
      let verdict: { ok: boolean; text: string };
      try {
        // The temporary environment is the system's, deleted below: a user at their quota can still verify.
        await (
          await beginRestore(actor, backup.id, { name }, { quotaExempt: true })
        ).done;
        const restored = await asRoot(await getEnvironment(actor, name), tableFacts);
        const expected = backup.contents ? (JSON.parse(backup.contents) as Record<string, number>) : null;
        const sums = backup.checksums ? (JSON.parse(backup.checksums) as Record<string, string>) : {};
        const mismatches = expected
          ? Object.entries(expected).flatMap(([t, n]) =>
              restored.counts[t] !== n
                ? [`${t}: expected ${n} rows, restored ${restored.counts[t] ?? "no table"}`]
                : sums[t] !== undefined && sums[t] !== restored.checksums[t]
                  ? [
                      `${t}: same ${n} rows but different content (CHECKSUM TABLE ${sums[t]} → ${restored.checksums[t]})`,
                    ]
                  : [],
            )
          : [];
        const tables = Object.keys(restored.counts).length;
        const rows = Object.values(restored.counts).reduce((a, b) => a + b, 0);
        const checked = Object.keys(sums).length ? "rows and checksums match" : "rows match";
        verdict = !expected
          ? {
              ok: true,
              text: `restored ${tables} tables, ${rows} rows (no row counts recorded for this backup: its master took writes during the dump, has no binary log, or has non-InnoDB tables)`,
            }
          : mismatches.length
            ? { ok: false, text: `mismatch: ${mismatches.slice(0, 5).join("; ")}` }
            : { ok: true, text: `verified: ${tables} tables, ${rows} ${checked}` };
      } catch (e) {
        verdict = { ok: false, text: `restore failed: ${(e as Error).message}` };
      } finally {
        await deleteEnvironment(actor, name).catch(() => undefined);
      }
      await db().backup.update({
        where: { id: backup.id },
        data: { verification: `${verdict.ok ? "ok" : "FAILED"} — ${verdict.text}`, verifiedAt: new Date() },
      });
      if (!verdict.ok)
        throw new ServiceError(422, "verification_failed", `Backup verification failed: ${verdict.text}`);
      return verdict;
    },
  );
}
