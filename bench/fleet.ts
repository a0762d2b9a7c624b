// Fleet-scale figures' fixtures: replication clusters made through the API, Chromium's time until the map shows
// every server, and stopped environments added as rows (for the 500-environment list; no server behind them).
import { chromium } from "@playwright/test";
import Database from "better-sqlite3";
import type { Api } from "./fixture";

/** `count` masters (binary log on) with `slaves` seeded slaves each, through the API, 2 clusters at a time. */
export async function makeClusters(api: Api, count: number, slaves: number): Promise<{ names: string[]; ms: number }> {
  const t0 = performance.now();
  const masters = Array.from({ length: count }, (_, i) => `fleet${i}`);
  const names: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < masters.length) {
      const m = masters[next++];
      await api.call("POST", "/api/v1/environments", { name: m });
      await api.call("POST", `/api/v1/environments/${m}/replication/binlog`);
      const made = await api.call<{ slaves: string[] }>("POST", `/api/v1/environments/${m}/slaves`, {
        count: slaves,
        method: "logical",
      });
      names.push(m, ...made.slaves);
    }
  };
  await Promise.all(Array.from({ length: 2 }, worker));
  return { names, ms: performance.now() - t0 };
}

/**
 * Chromium, signed in by cookie: milliseconds from navigation until every `testId` is in the page (the map's
 * nodes are drawn by the lazily loaded graph chunk, after the HTML). Median of `runs` fresh page loads.
 */
export async function timeToShow(base: string, cookie: string, path: string, testIds: string[], runs = 5) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const url = new URL(base);
    await context.addCookies(
      cookie.split("; ").map((c) => {
        const [name, ...value] = c.split("=");
        return { name, value: value.join("="), domain: url.hostname, path: "/" };
      }),
    );
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(base + path);
      await page
        .waitForFunction((ids) => ids.every((id) => document.querySelector(`[data-testid="${id}"]`)), testIds, {
          timeout: 60_000,
          polling: 20,
        })
        .catch(async (e: Error) => {
          const missing = await page.evaluate(
            (ids) => ids.filter((id) => !document.querySelector(`[data-testid="${id}"]`)),
            testIds,
          );
          throw new Error(
            `${e.message.split("\n")[0]} at ${page.url()}: ${missing.length} missing (${missing.slice(0, 3).join(", ")})`,
          );
        });
      times.push(performance.now() - t0);
      await page.close();
    }
    return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  } finally {
    await browser.close();
  }
}

/**
 * `count` stopped environments as rows of the console's store, owned by `ownerEmail`, in groups of a master and
 * two slaves (observedMaster set as the monitor would have left it). Returns their removal.
 */
export function insertStoppedEnvironments(dbFile: string, ownerEmail: string, count: number): () => void {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 5000");
  const owner = (db.prepare("SELECT id FROM User WHERE email = ?").get(ownerEmail) as { id: string }).id;
  const maxId = (db.prepare("SELECT MAX(serverId) AS m FROM Node").get() as { m: number | null }).m ?? 0;
  const now = new Date().toISOString().replace("Z", "+00:00");
  const env = db.prepare(
    `INSERT INTO Environment (id, name, ownerId, runtime, engineVersion, desiredState, status, observedMaster, createdAt, updatedAt, statusAt)
     VALUES (?, ?, ?, 'local', '10.11', 'stopped', 'stopped', ?, ?, ?, ?)`,
  );
  // A real encrypted secret (another server's): the monitor reads these rows like any other.
  const secret = (db.prepare("SELECT rootPasswordEnc AS s FROM Node LIMIT 1").get() as { s: string }).s;
  const node = db.prepare(
    "INSERT INTO Node (id, environmentId, host, port, serverId, rootPasswordEnc, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `bench-stopped-${i}`;
      const name = i % 3 === 0 ? `parked${i}` : `parked${i - (i % 3)}-slave-${i % 3}`;
      const master = i % 3 === 0 ? null : `parked${i - (i % 3)}`;
      env.run(id, name, owner, master, now, now, now);
      node.run(
        `${id}-n`,
        id,
        `127.0.${200 + Math.floor(i / 250)}.${1 + (i % 250)}`,
        3306,
        maxId + 1000 + i,
        secret,
        now,
      );
      ids.push(id);
    }
  })();
  db.close();
  return () => {
    const again = new Database(dbFile);
    again.pragma("busy_timeout = 5000");
    const list = ids.map(() => "?").join(",");
    again.prepare(`DELETE FROM Node WHERE environmentId IN (${list})`).run(...ids);
    again.prepare(`DELETE FROM Environment WHERE id IN (${list})`).run(...ids);
    again.close();
  };
}
