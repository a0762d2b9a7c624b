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

/** Highest sequence number seen per "domain-server" pair, merged from GTID lists (binlog state, positions). */
export type GtidState = Map<string, number>;

export function gtidState(...lists: (string | null | undefined)[]): GtidState {
  const out: GtidState = new Map();
  for (const list of lists) {
    for (const part of (list ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
      if (!m) throw new Error(`Not a GTID: ${part}`);
      const key = `${m[1]}-${m[2]}`;
      out.set(key, Math.max(out.get(key) ?? 0, Number(m[3])));
    }
  }
  return out;
}

/**
 * Transactions a server wrote itself (its own server id, from its @@gtid_binlog_state) that no other server
 * has executed: writes made on it alone. A demoted old master's own history is not errant — the others have it.
 */
export function errantGtids(serverId: number, binlogState: string, elsewhere: GtidState): string[] {
  return [...gtidState(binlogState)]
    .filter(([key, seq]) => Number(key.split("-")[1]) === serverId && (elsewhere.get(key) ?? 0) < seq)
    .map(([key, seq]) => `${key}-${seq}`);
}
