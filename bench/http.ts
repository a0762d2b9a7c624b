// HTTP side of the bench: a real console (scripts/start.mjs, the built .next) with real environments made through
// its API — a master with a seeded slave for the page figures (bench/pages.ts), then 100 real environments for the
// list figures — measured with autocannon; console RSS. Every environment is deleted (servers stopped) at the end,
// whatever happened.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { withConnection, type Target } from "../lib/mariadb/connect";
import { allSlaveStatus, anonymousUsers } from "../lib/mariadb/replication";
import { stopNodesUnder } from "../lib/runtime/cleanup";
import { Api, deleteEverything, makeMany, makeReplicatedPair } from "./fixture";
import { insertStoppedEnvironments, makeClusters, timeToShow } from "./fleet";
import {
  checkPage,
  FACTS_SQL,
  failedRow,
  inPayload,
  mainPages,
  pageFigures,
  timeHttp,
  timeRaw,
  type PageSpec,
  type Row,
  type Timing,
} from "./pages";

export type { Row } from "./pages";

const PORT = 3290;
const BASE = `http://127.0.0.1:${PORT}`;
const LIST_SIZE = Number(process.env.BENCH_LIST_ENVIRONMENTS ?? 100);
const LIST_TOTAL = Number(process.env.BENCH_LIST_TOTAL ?? 500);
const PAGE_REQUESTS = Number(process.env.BENCH_PAGE_REQUESTS ?? 100);
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
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.includes("session-token"));
  if (!session) throw new Error("sign-in failed");
  return [...jar, session].join("; ");
}

/** Throughput with `connections` concurrent clients; any non-2xx answer or error fails the figure. */
function cannon(url: string, headers: Record<string, string>, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, amount: 300 * connections, headers }, (err, result) => {
      if (err) return reject(err);
      if (result.non2xx || result.errors || result.timeouts)
        return reject(new Error(`${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`));
      resolve(result);
    });
  });
}

function rssMb(pid: number): number {
  if (!fs.existsSync(`/proc/${pid}/status`)) return NaN;
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

/** The console's server process while the bench runs, for the progress lines. */
let consolePid: number | null = null;

/** A progress line on stderr with the console's memory: where a console that dies under the load was. */
function phase(label: string) {
  const rss = consolePid === null ? NaN : rssMb(consolePid);
  console.error(`HTTP bench: ${label} (console RSS ${Number.isNaN(rss) ? "?" : Math.round(rss)} MB)`);
}

/** React separates the text parts of "Page {page} of {pages}" with comments in the HTML. */
const FIRST_PAGE = /Page (<!-- -->)?1(<!-- -->)? of/;

/** Every environment is on one of the list's pages (25 groups each); the reason when one is not, else null. */
async function unlisted(cookie: string, names: string[]): Promise<string | null> {
  const seen = new Set<string>();
  for (let page = 1; page < 100; page++) {
    const html = await (await fetch(`${BASE}/environments?page=${page}`, { headers: { cookie } })).text();
    for (const m of html.matchAll(/data-testid="env-row-([^"]+)"/g)) seen.add(m[1]);
    if (!html.includes("Next →")) break;
  }
  const missing = names.filter((n) => !seen.has(n));
  return missing.length ? `not on any page of /environments: ${missing.slice(0, 5).join(", ")}` : null;
}

/** p50 and p95 rows of one timing, next to its baseline; FAILED rows when the measurement was refused. */
async function timingRows(
  figure: string,
  goal: string,
  measure: () => Promise<[Timing, Timing | null]>,
): Promise<Row[]> {
  try {
    const [t, b] = await measure();
    return [
      { figure: `${figure}, p50`, value: t.p50, baseline: b?.p50 ?? null, unit: "ms", goal: "—" },
      { figure: `${figure}, p95`, value: t.p95, baseline: b?.p95 ?? null, unit: "ms", goal },
    ];
  } catch (e) {
    return [failedRow(figure, (e as Error).message, goal)];
  }
}

/**
 * LIST_SIZE real environments (a fifth of them masters with two seeded slaves each, the rest standalone), the list
 * and /topology over all of them; then the list at LIST_TOTAL environments (the rest stopped rows).
 */
async function listFigures(api: Api, cookie: string, dbFile: string, email: string): Promise<Row[]> {
  const bearer = { authorization: `Bearer ${api.token}` };
  phase("making clusters");
  const clusters = await makeClusters(api, Math.floor(LIST_SIZE / 5), 2);
  phase("making standalone servers");
  const many = await makeMany(api, "list", LIST_SIZE - (await api.names()).length, 4);
  phase(`list and map with ${LIST_SIZE} servers`);
  const names = await api.names();
  if (names.length !== LIST_SIZE) throw new Error(`expected ${LIST_SIZE} environments, the API lists ${names.length}`);
  const list = await checkPage(
    BASE,
    { path: "/environments", signedIn: true, markers: ['data-testid="env-group-fleet0"', FIRST_PAGE] },
    cookie,
  );
  const listBytes = list.ok ? list.bytes : 0;
  const listReason = list.ok ? await unlisted(cookie, names) : list.reason;
  await timeHttp(`${BASE}/environments`, { cookie }, 20).catch(() => null); // warm-up
  const n = `${LIST_SIZE} real environments`;
  const rows: Row[] = [
    {
      figure: `${clusters.names.length} real environments in ${clusters.names.length / 3} clusters (master + 2 slaves, 2 clusters at a time) and ${many.names.length} standalone (4 at a time), created through the API, wall time`,
      value: clusters.ms + many.ms,
      baseline: null,
      unit: "ms",
      goal: "—",
    },
  ];
  rows.push(
    ...(await timingRows(
      `server time GET /environments page, ${n} (baseline: GET /api/v1/environments)`,
      "p95 ≤ 100 ms",
      async () => {
        if (listReason) throw new Error(listReason);
        return [
          await timeHttp(`${BASE}/environments`, { cookie }, 300, listBytes),
          await timeHttp(`${BASE}/api/v1/environments`, bearer, 300),
        ];
      },
    )),
  );
  for (const [label, url, headers] of [
    ["GET /environments page", `${BASE}/environments`, { cookie }],
    ["GET /api/v1/environments", `${BASE}/api/v1/environments`, bearer],
  ] as const) {
    const figure = `${label} under 10 concurrent clients, ${n}, p50 / req/s`;
    const r =
      label.endsWith("page") && listReason
        ? new Error(listReason)
        : await cannon(url, headers, 10).catch((e: Error) => e);
    rows.push(
      r instanceof Error
        ? failedRow(figure, r.message)
        : {
            figure,
            value: r.latency.p50,
            baseline: null,
            unit: `ms (${Math.round(r.requests.average)} req/s)`,
            goal: "—",
          },
    );
  }
  // The page that shows every server: /topology (baseline: the discovery statements on every server, directly,
  // which is what it did per request before it shared the monitor's reads).
  const logins = await Promise.all(
    names.map((name) => api.call<Target>("GET", `/api/v1/environments/${name}/connection`)),
  );
  const discovery = () =>
    Promise.all(
      logins.map((l) =>
        withConnection(l, (c) => Promise.all([c.query(FACTS_SQL), allSlaveStatus(c), anonymousUsers(c)])),
      ),
    );
  const topoSpec: PageSpec = {
    path: "/topology",
    signedIn: true,
    markers: ['data-testid="topology-graph"', ...names.map(inPayload)],
  };
  rows.push(
    ...(await timingRows(
      `server time GET /topology, ${n}, 1 connection (baseline: discovery + doctor statements on every server)`,
      "p95 ≤ 200 ms",
      async () => {
        const topo = await checkPage(BASE, topoSpec, cookie);
        if (!topo.ok) throw new Error(topo.reason);
        await timeRaw(discovery, 3);
        return [await timeHttp(`${BASE}/topology`, { cookie }, 30, topo.bytes), await timeRaw(discovery, 30)];
      },
    )),
  );
  // The list's first page (25 groups) against the map of all.
  const listHtml = await (await fetch(`${BASE}/environments`, { headers: { cookie } })).text();
  phase("Chromium");
  const shown = async (path: string, ids: string[]) => timeToShow(BASE, cookie, path, ids).catch((e: Error) => e);
  const [mapMs, listMs] = [
    await shown(
      "/topology",
      names.map((name) => `topology-node-${name}`),
    ),
    await shown(
      "/environments",
      [...listHtml.matchAll(/data-testid="(env-row-[^"]+)"/g)].map((m) => m[1]),
    ),
  ];
  const ttiFigure = `Chromium: /topology until all ${LIST_SIZE} servers are drawn on the map, median of 5 (baseline: /environments until its first page of rows shows)`;
  rows.push(
    mapMs instanceof Error || listMs instanceof Error
      ? failedRow(ttiFigure, String(mapMs instanceof Error ? mapMs.message : (listMs as Error).message))
      : { figure: ttiFigure, value: mapMs, baseline: listMs, unit: "ms", goal: "—" },
  );

  // LIST_TOTAL environments: the rest are stopped environments as rows (the list reads only the store).
  phase(`list with ${LIST_TOTAL} environments`);
  const removeParked = insertStoppedEnvironments(dbFile, email, LIST_TOTAL - LIST_SIZE);
  try {
    const big = await checkPage(
      BASE,
      { path: "/environments", signedIn: true, markers: ['data-testid="env-group-fleet0"', FIRST_PAGE] },
      cookie,
    );
    // The stopped rows are grouped as clusters too (on a later page; found by search).
    const parked = await checkPage(
      BASE,
      { path: "/environments?q=parked0", signedIn: true, markers: ['data-testid="env-group-parked0"'] },
      cookie,
    );
    const total = `${LIST_TOTAL} environments (${LIST_SIZE} running, ${LIST_TOTAL - LIST_SIZE} stopped)`;
    rows.push(
      ...(await timingRows(
        `server time GET /environments page, ${total} (baseline: GET /api/v1/environments)`,
        "p95 ≤ 100 ms",
        async () => {
          if (!big.ok) throw new Error(big.reason);
          if (!parked.ok) throw new Error(parked.reason);
          await timeHttp(`${BASE}/environments`, { cookie }, 20);
          return [
            await timeHttp(`${BASE}/environments`, { cookie }, 200, big.bytes),
            await timeHttp(`${BASE}/api/v1/environments`, bearer, 200),
          ];
        },
      )),
    );
  } finally {
    removeParked();
  }
  return rows;
}

export async function httpBench(): Promise<{ rows: Row[]; chunks: Record<string, string[]> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-bench-http-"));
  const consoleLogFile = path.join(os.tmpdir(), "mariner-bench-console.log");
  const consoleLog = fs.openSync(consoleLogFile, "w");
  const email = "bench@mariner.local";
  const password = "bench-password-1";
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      ...process.env,
      PORT: String(PORT),
      MARINER_DATA_DIR: dataDir,
      MARINER_ADMIN_EMAIL: email,
      MARINER_ADMIN_PASSWORD: password,
    },
    // Its output is kept: a console that dies under the load says why there.
    stdio: ["ignore", consoleLog, consoleLog],
  });
  let api: Api | null = null;
  try {
    await waitForServer();
    const tokenRes = await fetch(`${BASE}/api/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password, name: "bench-token" }),
    });
    api = new Api(BASE, (await tokenRes.json()).token);
    const cookie = await sessionCookie(email, password);
    consolePid = serverPid(child.pid!);

    // Pages on a real master/slave pair (the only environments at this point).
    const fx = await makeReplicatedPair(api);
    console.log(
      `HTTP bench: ${fx.master} + ${fx.slave} through the API: ${Object.entries(fx.steps)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(", ")}`,
    );
    const pages = await pageFigures(
      BASE,
      cookie,
      api.token,
      mainPages(fx, email),
      PAGE_REQUESTS,
      `${Object.keys(fx.logins).length} real environments`,
    );
    // A failure of the list part is its own FAILED row: the page figures above stand.
    const list = await listFigures(api, cookie, path.join(dataDir, "mariner.db"), email).catch((e: Error) => [
      failedRow(`list figures with ${LIST_SIZE} real environments`, e.message),
    ]);
    if (child.exitCode !== null || child.signalCode !== null) {
      const last = fs.readFileSync(consoleLogFile, "utf8").trim().split("\n").slice(-5).join(" | ");
      throw new Error(`the console exited (${child.exitCode ?? child.signalCode}) under the load: ${last}`);
    }
    list.push({
      figure: "console RSS after the load",
      value: rssMb(serverPid(child.pid!)),
      baseline: null,
      unit: "MB",
      goal: "—",
    });
    return { rows: [...list, ...pages.rows], chunks: pages.chunks };
  } finally {
    // Every environment the bench made goes, through the console (servers stopped, directories removed).
    const failures = api ? await deleteEverything(api).catch((e: Error) => [e.message]) : [];
    if (failures.length)
      console.error(
        `HTTP bench: ${failures.length} environments could not be deleted through the API: ${failures.slice(0, 3).join("; ")}`,
      );
    // A console that already died (its failure is what the bench reports) has no exit event left to wait for.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    // Servers outlive their console: whatever the API could not delete is stopped by pid here.
    fs.closeSync(consoleLog);
    const stopped = await stopNodesUnder(dataDir);
    if (stopped.length) console.error(`HTTP bench: stopped ${stopped.length} leftover servers by pid`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
