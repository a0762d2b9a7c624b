/** MariaDB GTID positions ("domain-server-seq,…"): one entry per replication domain. */
export type GtidPosition = Map<number, { server: number; seq: number }>;

export function parseGtid(text: string | null | undefined): GtidPosition {
  const out: GtidPosition = new Map();
  for (const part of (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
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
    for (const part of (list ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
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

/**
 * Reads `mariadb-binlog` output line by line: the "Gtid list [..]" header of each file (what came before it,
 * older files may be purged) and every GTID event header. Only comment lines (#…) are looked at, never SQL.
 */
export function binlogGtidReader() {
  const position: GtidPosition = new Map();
  const state: GtidState = new Map();
  let list: string | null = null;
  const add = (domain: number, server: number, seq: number, fromList: boolean) => {
    const key = `${domain}-${server}`;
    state.set(key, Math.max(state.get(key) ?? 0, seq));
    if (!fromList || (position.get(domain)?.seq ?? -1) < seq) position.set(domain, { server, seq });
  };
  return {
    line(text: string) {
      if (!text.startsWith("#")) return;
      const at = text.indexOf("Gtid list [");
      if (list !== null || at !== -1) {
        list = (list ?? "") + (list === null ? text.slice(at + "Gtid list [".length) : text);
        const close = list.indexOf("]");
        if (close === -1) return;
        for (const g of list.slice(0, close).matchAll(/(\d+)-(\d+)-(\d+)/g))
          add(Number(g[1]), Number(g[2]), Number(g[3]), true);
        list = null;
        return;
      }
      const m = /\bGTID (\d+)-(\d+)-(\d+)/.exec(text);
      if (m) add(Number(m[1]), Number(m[2]), Number(m[3]), false);
    },
    result: () => ({ position, gtids: [...state].map(([key, seq]) => `${key}-${seq}`).join(",") }),
  };
}

/** The newest GTID per domain of a list that may name several servers per domain (a binlog state). */
export function latestPerDomain(list: string | null | undefined): GtidPosition {
  const out: GtidPosition = new Map();
  for (const [key, seq] of gtidState(list)) {
    const [domain, server] = key.split("-").map(Number);
    if ((out.get(domain)?.seq ?? -1) < seq) out.set(domain, { server, seq });
  }
  return out;
}
