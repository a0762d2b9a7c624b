// HTTP side of the bench: a real `next start` console with 100 environments, measured with autocannon,
// console RSS, and first-load JS per main page (scripts in the initial HTML, gzip bytes).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import Database from "better-sqlite3";

export interface Row {
  figure: string;
  value: number;
  baseline: number | null;
  unit: string;
  goal: string;
}

const PORT = 3290;
const BASE = `http://127.0.0.1:${PORT}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForServer() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${BASE}/signin`)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error("console did not start");
}

/** A next-auth session cookie, obtained the way a browser does (csrf token, then the credentials callback). */
async function sessionCookie(email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${BASE}/api/auth/csrf`);
  const { csrfToken } = await csrfRes.json();
  const jar = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.includes("session-token"));
  if (!session) throw new Error("sign-in failed");
  return [...jar, session].join("; ");
}

function cannon(url: string, headers: Record<string, string>, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, amount: 300 * connections, headers }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The console's server process: the child of start.mjs running scripts/server.mjs (Next runs inside it). */
function serverPid(parent: number): number {
  for (const p of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      if (ppid === parent && fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("server.mjs")) return Number(p);
    } catch {
      /* gone */
    }
  }
  const listed = fs.readFileSync(`/proc/${parent}/status`, "utf8").split("\n").slice(0, 8).join(" | ");
  throw new Error(`the console's server process (child of ${parent}) was not found: ${listed}`);
}

async function firstLoadJsKb(pagePath: string, cookie: string): Promise<number> {
  const html = await (await fetch(BASE + pagePath, { headers: { cookie } })).text();
  const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]))];
  let total = 0;
  for (const src of srcs) total += gzipSync(Buffer.from(await (await fetch(BASE + src)).arrayBuffer())).length;
  return total / 1024;
}

export async function httpBench(): Promise<Row[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-bench-http-"));
  const email = "bench@mariner.local";
  const password = "bench-password-1";
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: { ...process.env, PORT: String(PORT), MARINER_DATA_DIR: dataDir, MARINER_ADMIN_EMAIL: email, MARINER_ADMIN_PASSWORD: password, MARINER_MONITOR: "off" },
    stdio: "ignore",
  });
  try {
    await waitForServer();
    // 100 environments as the list sees them (rows only: the list and the API read the store, not the servers).
    const sqlite = new Database(path.join(dataDir, "mariner.db"));
    const owner = (sqlite.prepare("SELECT id FROM User LIMIT 1").get() as { id: string }).id;
    const now = Date.now();
    sqlite.transaction(() => {
      for (let i = 0; i < 100; i++) {
        sqlite.prepare("INSERT INTO Environment (id, name, ownerId, engineVersion, status, updatedAt) VALUES (?, ?, ?, '10.11', 'running', ?)").run(`e${i}`, `env${i}`, owner, now);
        sqlite.prepare("INSERT INTO Node (id, environmentId, host, port, serverId, rootPasswordEnc) VALUES (?, ?, ?, 3306, ?, 'v1.x.x.x')").run(`n${i}`, `e${i}`, `127.9.0.${i + 1}`, 5000 + i);
      }
    })();
    sqlite.close();

    const token = (await (await fetch(`${BASE}/api/v1/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) })).json()).token;
    const cookie = await sessionCookie(email, password);
    const apiCount = (await (await fetch(`${BASE}/api/v1/environments`, { headers: { authorization: `Bearer ${token}` } })).json()).environments.length;
    if (apiCount !== 100) throw new Error(`expected 100 environments, API returned ${apiCount}`);

    await cannon(`${BASE}/environments`, { cookie }, 2); // warm-up
    // Server time: one request at a time. Then throughput with 10 concurrent clients on this 2-core machine.
    const page = await cannon(`${BASE}/environments`, { cookie }, 1);
    const api = await cannon(`${BASE}/api/v1/environments`, { authorization: `Bearer ${token}` }, 1);
    const pageLoaded = await cannon(`${BASE}/environments`, { cookie }, 10);
    const apiLoaded = await cannon(`${BASE}/api/v1/environments`, { authorization: `Bearer ${token}` }, 10);
    const rss = rssMb(serverPid(child.pid!));

    const js: Row[] = [];
    for (const p of ["/signin", "/environments", "/environments/env0", "/environments/env0/config", "/environments/env0/replication", "/environments/env0/sql"]) {
      js.push({ figure: `first-load JS ${p} (gzip)`, value: await firstLoadJsKb(p, p === "/signin" ? "" : cookie), baseline: null, unit: "kB", goal: "≤ 250 kB" });
    }
    return [
      { figure: "server time GET /environments page, 100 environments, p50", value: page.latency.p50, baseline: null, unit: "ms", goal: "—" },
      { figure: "server time GET /environments page, p97.5 (≥ p95)", value: page.latency.p97_5, baseline: null, unit: "ms", goal: "p95 ≤ 100 ms" },
      { figure: "server time GET /api/v1/environments, 100 environments, p50", value: api.latency.p50, baseline: null, unit: "ms", goal: "—" },
      { figure: "server time GET /api/v1/environments, p97.5 (≥ p95)", value: api.latency.p97_5, baseline: null, unit: "ms", goal: "p95 ≤ 100 ms" },
      { figure: "GET /environments page under 10 concurrent clients, p50 / req/s", value: pageLoaded.latency.p50, baseline: null, unit: `ms (${Math.round(pageLoaded.requests.average)} req/s)`, goal: "—" },
      { figure: "GET /api/v1/environments under 10 concurrent clients, p50 / req/s", value: apiLoaded.latency.p50, baseline: null, unit: `ms (${Math.round(apiLoaded.requests.average)} req/s)`, goal: "—" },
      { figure: "console RSS after the load", value: rss, baseline: null, unit: "MB", goal: "—" },
      ...js,
    ];
  } finally {
    // A console that already died (its failure is what the bench reports) has no exit event left to wait for.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
