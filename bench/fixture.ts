// Real environments for the HTTP bench, made through the console's own REST API the way a user's script would:
// real mariadbd servers with real content on every page. The caller deletes them (deleteEverything) in a finally.

export class Api {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  /** One API call; anything but the expected status is an error naming the call and the console's answer. */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async names(): Promise<string[]> {
    return (await this.call<{ environments: { name: string }[] }>("GET", "/api/v1/environments")).environments.map(
      (e) => e.name,
    );
  }
}

export interface Fixture {
  /** A master with binary logging, a database with rows, a backup and an alert rule. */
  master: string;
  /** Its slave, seeded by "Add slave" and replicating (GTID). */
  slave: string;
  database: string;
  /** Root logins of both servers (for the raw baselines: the same statements without the console). */
  logins: Record<string, { host: string; port: number; user: string; password: string }>;
  /** Wall time of each setup step through the API, ms. */
  steps: Record<string, number>;
}

/**
 * Another console on this machine (a test suite running beside the bench) can bind the loopback address this
 * console just found free: the create then fails with "address is already in use". Such a create is retried
 * (twice at most, said on stderr; the service-layer creates of bench/run.ts too); any other failure stands.
 */
export async function retryingAddressRace<T>(label: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (attempt > 2 || !/address is already in use/.test((e as Error).message)) throw e;
      console.error(`bench: ${label} lost its address to another process (attempt ${attempt}); retrying`);
    }
  }
}

const create = (api: Api, name: string) =>
  retryingAddressRace(`create ${name}`, () => api.call("POST", "/api/v1/environments", { name }));

async function timed<T>(steps: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await work();
  steps[name] = performance.now() - t0;
  return out;
}

/** The article's pair through the API: master (binary log on, data), one seeded slave, a backup, an alert rule. */
export async function makeReplicatedPair(api: Api, master = "bench-m"): Promise<Fixture> {
  const steps: Record<string, number> = {};
  const database = "benchdb";
  await timed(steps, "create", () => create(api, master));
  await timed(steps, "binlog", () => api.call("POST", `/api/v1/environments/${master}/replication/binlog`));
  const sql = (statement: string) =>
    api.call<{ kind: string; message?: string }>("POST", `/api/v1/environments/${master}/sql`, { statement });
  for (const statement of [
    `CREATE DATABASE ${database}`,
    `CREATE TABLE ${database}.orders (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(64), qty INT)`,
    `INSERT INTO ${database}.orders (item, qty) SELECT CONCAT('item-', seq), seq % 7 FROM ${database}.seq_1_to_1000`,
  ]) {
    const r = await sql(statement);
    if (r.kind === "error") throw new Error(`SQL on ${master} failed: ${r.message}`);
  }
  const addSlave = () => api.call<{ slaves: string[] }>("POST", `/api/v1/environments/${master}/slaves`, { count: 1 });
  const { slaves } = await timed(steps, "add slave", () => retryingAddressRace(`add slave to ${master}`, addSlave));
  await timed(steps, "backup", () => api.call("POST", `/api/v1/environments/${master}/backups`));
  await api.call("POST", `/api/v1/environments/${master}/alert-rules`, { kind: "lag", thresholdSec: 30 });
  const logins: Fixture["logins"] = {};
  for (const name of [master, slaves[0]])
    logins[name] = await api.call("GET", `/api/v1/environments/${name}/connection`);
  return { master, slave: slaves[0], database, logins, steps };
}

/** `count` plain environments, `concurrency` creates in flight at a time; the wall time of the whole batch. */
export async function makeMany(
  api: Api,
  prefix: string,
  count: number,
  concurrency: number,
): Promise<{ names: string[]; ms: number }> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < names.length) await create(api, names[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { names, ms: performance.now() - t0 };
}

/** Deletes every environment the console lists (slaves first), `concurrency` at a time; the failures, if any. */
export async function deleteEverything(api: Api, concurrency = 8): Promise<string[]> {
  const names = await api.names();
  const slaves = names.filter((n) => n.includes("-slave-"));
  const failures: string[] = [];
  for (const batch of [slaves, names.filter((n) => !slaves.includes(n))]) {
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const name = batch[next++];
        await api.call("DELETE", `/api/v1/environments/${name}`).catch((e: Error) => failures.push(e.message));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  return failures;
}
