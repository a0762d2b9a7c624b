import type { Connection } from "mysql2/promise";
import { SYSTEM_SCHEMAS } from "./schemas";

/** Exact rows and CHECKSUM TABLE per user table ("db.table" → …); identifiers go through ?? placeholders. */
export async function tableFacts(
  c: Connection,
  { checksums: withChecksums = true } = {},
): Promise<{ counts: Record<string, number>; checksums: Record<string, string> }> {
  const [tables] = await c.query(
    "SELECT table_schema AS db, table_name AS t FROM information_schema.TABLES WHERE table_type = 'BASE TABLE' AND table_schema NOT IN (?) ORDER BY 1, 2",
    [SYSTEM_SCHEMAS],
  );
  const counts: Record<string, number> = {};
  const checksums: Record<string, string> = {};
  for (const { db: schema, t } of tables as { db: string; t: string }[]) {
    const [[row]] = (await c.query("SELECT COUNT(*) AS n FROM ??.??", [schema, t])) as unknown as [{ n: number }[]];
    counts[`${schema}.${t}`] = Number(row.n);
    if (!withChecksums) continue;
    const [[sum]] = (await c.query("CHECKSUM TABLE ??.??", [schema, t])) as unknown as [
      { Checksum: number | string | null }[],
    ];
    checksums[`${schema}.${t}`] = String(sum.Checksum);
  }
  return { counts, checksums };
}

/**
 * Exact row counts in a consistent snapshot and the binlog position it stands at — only when every user table
 * is InnoDB (other engines are not in the snapshot). Counts read inside the transaction; `c` is left open.
 */
export async function snapshotCounts(
  c: Connection,
): Promise<{ file: string; pos: number; counts: Record<string, number> } | null> {
  const [others] = await c.query(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE table_type = 'BASE TABLE' AND table_schema NOT IN (?) AND ENGINE <> 'InnoDB'",
    [SYSTEM_SCHEMAS],
  );
  if (Number((others as { n: number }[])[0].n) > 0) return null;
  await c.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
  const [status] = await c.query(
    "SHOW STATUS WHERE Variable_name IN ('binlog_snapshot_file', 'binlog_snapshot_position')",
  );
  const v = Object.fromEntries(
    (status as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name.toLowerCase(), r.Value]),
  );
  if (!v.binlog_snapshot_file) return null;
  const { counts } = await tableFacts(c, { checksums: false });
  await c.query("COMMIT");
  return { file: v.binlog_snapshot_file, pos: Number(v.binlog_snapshot_position), counts };
}
