/** MariaDB GTID positions ("domain-server-seq,…"): one entry per replication domain. */
export type GtidPosition = Map<number, { server: number; seq: number }>;

export function parseGtid(text: string | null | undefined): GtidPosition {
  const out: GtidPosition = new Map();
  for (const part of (text ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) throw new Error(`Not a GTID: ${part}`);
    out.set(Number(m[1]), { server: Number(m[2]), seq: Number(m[3]) });
  }
  return out;
}

export function formatGtid(pos: GtidPosition): string {
  return [...pos.entries()]
    .sort(([a], [b]) => a - b)
    .map(([d, { server, seq }]) => `${d}-${server}-${seq}`)
    .join(",");
}

/** Transactions in `ahead` that `behind` has not executed (per domain, by sequence number). */
export function transactionsMissing(ahead: GtidPosition, behind: GtidPosition): number {
  let missing = 0;
  for (const [domain, a] of ahead) missing += Math.max(0, a.seq - (behind.get(domain)?.seq ?? 0));
  return missing;
}

/** Has `a` executed everything `b` has? */
export function includes(a: GtidPosition, b: GtidPosition): boolean {
  return transactionsMissing(b, a) === 0;
}

/** Orders servers by how far they got: most transactions first. */
export function compareProgress(a: GtidPosition, b: GtidPosition): number {
  return transactionsMissing(b, a) - transactionsMissing(a, b);
}
