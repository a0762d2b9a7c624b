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
import {
  checkPage,
  FACTS_SQL,
  failedRow,
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

/** The list with LIST_SIZE real environments (made through the API, 4 creates in flight), and /topology over all. */
async function listFigures(api: Api, cookie: string): Promise<Row[]> {
  const bearer = { authorization: `Bearer ${api.token}` };
  const many = await makeMany(api, "list", LIST_SIZE - (await api.names()).length, 4);
  const names = await api.names();
  if (names.length !== LIST_SIZE) throw new Error(`expected ${LIST_SIZE} environments, the API lists ${names.length}`);
  const list = await checkPage(
    BASE,
    { path: "/environments", signedIn: true, markers: names.map((n) => `data-testid="env-row-${n}"`) },
    cookie,
  );
  const listBytes = list.ok ? list.bytes : 0;
  const listReason = list.ok ? null : list.reason;
  await timeHttp(`${BASE}/environments`, { cookie }, 20).catch(() => null); // warm-up
  const n = `${LIST_SIZE} real environments`;
  const rows: Row[] = [
    {
      figure: `${many.names.length} real environments created through the API, 4 at a time, wall time`,
      value: many.ms,
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
  rows.push(
    ...(await timingRows(`server time GET /api/v1/environments, ${n}`, "p95 ≤ 100 ms", async () => [
      await timeHttp(`${BASE}/api/v1/environments`, bearer, 300),
      null,
    ])),
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
  // The page that asks every server: /topology with all of them (baseline: the same statements, directly).
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
    markers: names.map((name) => `data-testid="topology-node-${name}"`),
  };
  rows.push(
    ...(await timingRows(
      `server time GET /topology, ${n}, 1 connection (baseline: discovery + doctor statements on every server)`,
      "—",
      async () => {
        const topo = await checkPage(BASE, topoSpec, cookie);
        if (!topo.ok) throw new Error(topo.reason);
        await timeRaw(discovery, 3);
        return [await timeHttp(`${BASE}/topology`, { cookie }, 30, topo.bytes), await timeRaw(discovery, 30)];
      },
    )),
  );
  return rows;
}

export async function httpBench(): Promise<{ rows: Row[]; chunks: Record<string, string[]> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-bench-http-"));
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
    stdio: "ignore",
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
    const list = await listFigures(api, cookie).catch((e: Error) => [
      failedRow(`list figures with ${LIST_SIZE} real environments`, e.message),
    ]);
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
    const stopped = await stopNodesUnder(dataDir);
    if (stopped.length) console.error(`HTTP bench: stopped ${stopped.length} leftover servers by pid`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
