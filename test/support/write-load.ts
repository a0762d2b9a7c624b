import mysql from "mysql2/promise";

// The write-loss harness: N clients write unique ids through an address as fast as they can, each keeping only
// the ids the server acknowledged (the commit returned OK). After a failover, every one of them must be found.

export interface WriteLoad {
  /** Ids whose INSERT returned OK, in acknowledgement order. */
  acked: number[];
  /** Errors seen (connection lost, refused, read-only…): retried with a new id, never counted as written. */
  errors: number;
  /** The first acknowledgement of a write sent after `t` (ms since epoch), or null. */
  firstAckSentAfter(t: number): number | null;
  stop(): Promise<void>;
}

export interface Target {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A table with an INT primary key `id` (and nothing else required). */
  table: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Loads started in this process: each takes its own id range, so two loads on one table never collide. */
let loads = 0;

export function startWriteLoad({ table, ...login }: Target, clients = 8): WriteLoad {
  const acked: number[] = [];
  const sentAckedAt: [number, number][] = [];
  let errors = 0;
  let running = true;
  const range = loads++ * clients;
  const client = async (k: number) => {
    let seq = 0;
    let c: mysql.Connection | null = null;
    while (running) {
      const id = (range + k + 1) * 10_000_000 + ++seq;
      const sent = Date.now();
      try {
        c ??= await mysql.createConnection({ ...login, connectTimeout: 1000 });
        await c.query(`INSERT INTO ${table} (id) VALUES (?)`, [id]);
        acked.push(id);
        sentAckedAt.push([sent, Date.now()]);
      } catch {
        errors++;
        c?.destroy();
        c = null;
        await sleep(20); // a pool's reconnect back-off
      }
    }
    c?.destroy();
  };
  const all = Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
  return {
    acked,
    get errors() {
      return errors;
    },
    firstAckSentAfter: (t) => {
      const after = sentAckedAt.filter(([sent]) => sent > t).map(([, at]) => at);
      return after.length ? Math.min(...after) : null;
    },
    stop: async () => {
      running = false;
      await all;
    },
  };
}

/** The acknowledged ids missing on a server (read through its own root login). */
export async function missingOn(
  server: { host: string; port: number; password: string },
  table: string,
  acked: number[],
): Promise<number[]> {
  const c = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: "root",
    password: server.password,
  });
  try {
    const [rows] = (await c.query(`SELECT id FROM ${table}`)) as unknown as [{ id: number }[]];
    const present = new Set(rows.map((r) => Number(r.id)));
    return acked.filter((id) => !present.has(id));
  } finally {
    await c.end();
  }
}
