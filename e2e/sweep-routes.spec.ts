import { expect, test } from "@playwright/test";
import { call } from "./sweep/http";
import { builtActions, builtAppPaths, pageFiles, printTable, routeHandlers, serverActions } from "./sweep/enumerate";
import { ROUTES, fillPath, type RouteEntry } from "./sweep/routes";
import { type Fixture, type SnapshotOfA, identifiersOfA, leaksOfA, snapshotOfA, sweepTenants } from "./sweep/tenants";

// Every route handler in app/api, found by the TypeScript compiler, against its entry in e2e/sweep/routes.ts:
// anonymous and forged-session callers get 401, another tenant gets 404 on A's real objects (the answer for no
// object at all), non-admins get 403 on admin routes, and lists show B nothing of A's.

const FORGED = "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..c3dlZXA.Zm9yZ2VkLXNlc3Npb24.c3dlZXA";
const UNEXPORTED = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const entries = () =>
  Object.entries(ROUTES).map(([key, entry]) => ({ key, method: key.split(" ")[0], path: key.split(" ")[1], entry }));

const bodyOf = (entry: RouteEntry, fx: Fixture) => (entry.body === "none" ? undefined : entry.valid!(fx));

/** The first server-sent event of /api/v1/events (the stream itself never ends). */
async function firstEvent(baseURL: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(new URL("/api/v1/events", baseURL), { headers, signal: abort.signal });
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
  abort.abort();
  return { status: res.status, text };
}

test.describe.serial("sweep: every route handler", () => {
  let fx: Fixture;
  let before: SnapshotOfA;
  sweepTenants((f, b) => ((fx = f), (before = b)));

  test("the table names every handler of app/api exactly, and the build made exactly those routes", () => {
    const handlers = routeHandlers();
    const found = handlers.flatMap((h) => h.methods.map((m) => `${m} ${h.path}`)).sort();
    for (const h of handlers) expect(h.methods, `${h.file} exports no HTTP method`).not.toEqual([]);
    expect(found, "route handlers in app/api vs e2e/sweep/routes.ts").toEqual(Object.keys(ROUTES).sort());
    const built = builtAppPaths()
      .filter((p) => p.startsWith("/api/"))
      .map((p) => p.replace(/\/route$/, ""))
      .sort();
    expect(built, "routes in .next/server/app-paths-manifest.json").toEqual(handlers.map((h) => h.path).sort());

    const kinds = ["public", "tenant", "self", "admin"];
    const rows = kinds.map((kind) => {
      const of = entries().filter((e) => e.entry.access.kind === kind);
      const withBody = of.filter((e) => e.entry.body !== "none").length;
      return {
        access: kind,
        routes: new Set(of.map((e) => e.path)).size,
        "routes × methods": of.length,
        "with a body schema": withBody,
      };
    });
    const withBody = entries().filter((e) => e.entry.body !== "none").length;
    rows.push({
      access: "all",
      routes: handlers.length,
      "routes × methods": found.length,
      "with a body schema": withBody,
    });
    printTable("Route handlers (app/api)", rows);
    const actions = serverActions();
    const pages = pageFiles();
    printTable("Sweep counts", [
      {
        what: "route handlers × methods",
        source: `${handlers.length} × … = ${found.length}`,
        build: `${built.length} routes`,
      },
      {
        what: "server actions",
        source: `${actions.exports.length} exports of "use server" files, ${actions.inline.length} inline`,
        build: `${builtActions().length}`,
      },
      {
        what: "pages",
        source: `${pages.length}`,
        build: `${builtAppPaths().filter((p) => p.endsWith("/page")).length}`,
      },
    ]);
    for (const { key, entry } of entries())
      if (entry.access.kind === "public") console.log(`public: ${key} — ${entry.access.reason}`);
  });

  test("anonymous and forged-session callers get 401 everywhere; methods a handler does not export are 405", async ({
    baseURL,
  }) => {
    const seen: Record<string, number> = {};
    for (const { key, method, path, entry } of entries()) {
      const url = fillPath(path, fx);
      for (const [who, headers] of [
        ["anonymous", {}],
        ["forged session cookie", { cookie: FORGED }],
      ] as const) {
        const res = await call(baseURL!, method, url, headers, bodyOf(entry, fx));
        const label = `${who}: ${method} ${url} → ${res.text.slice(0, 200)}`;
        seen[res.status] = (seen[res.status] ?? 0) + 1;
        if (path === "/api/auth/[...nextauth]") {
          // next-auth's session endpoint: no (valid) session → an empty one. Its POST (an update) needs the csrf
          // token: 400, with next-auth v4's app-router body (its `{}` unencoded, "[object Object]").
          expect(res.status, label).toBe(method === "GET" ? 200 : 400);
          if (method === "GET") expect(JSON.parse(res.text), label).toEqual({});
          else expect(res.text, label).toBe("[object Object]");
          continue;
        }
        // The token exchange is public; a wrong e-mail/password is its own 401.
        expect(res.status, label).toBe(401);
        expect(res.error?.code, label).toBe(key === "POST /api/v1/auth/token" ? "invalid_credentials" : "unauthorized");
      }
    }
    for (const h of routeHandlers()) {
      for (const method of UNEXPORTED.filter((m) => !h.methods.includes(m))) {
        const res = await call(baseURL!, method, fillPath(h.path, fx), {}, method === "GET" ? undefined : {});
        expect(res.status, `${method} ${h.path} (not exported)`).toBe(405);
      }
    }
    console.log(`anonymous/forged answers by status: ${JSON.stringify(seen)}`);
  });

  test("B gets 404 on each of A's real objects (the answer for no object), 403 on admin routes; A's data is unchanged", async ({
    request,
    baseURL,
  }) => {
    test.setTimeout(180_000);
    const results: { route: string; asB: string; "no object": string; "A itself": string }[] = [];
    for (const { method, path, entry } of entries()) {
      const { kind } = entry.access;
      if (kind === "public" || kind === "self") continue;
      const url = fillPath(path, fx);
      for (const [via, headers] of [
        ["token", fx.b.token],
        ["session", { cookie: fx.b.cookie }],
      ] as const) {
        const res = await call(baseURL!, method, url, headers, bodyOf(entry, fx));
        const label = `B (${via}): ${method} ${url} → ${res.text.slice(0, 200)}`;
        if (kind === "admin") {
          expect(res.status, label).toBe(403);
          expect(res.error?.code, label).toBe("forbidden");
          if (via === "token")
            results.push({ route: `${method} ${path}`, asB: "403", "no object": "-", "A itself": "-" });
          continue;
        }
        expect(res.status, label).toBe(404);
        expect(res.error?.code, label).toBe("not_found");
        expect(leaksOfA(fx, res.text, leaksOfA(fx, url)), label).toEqual([]);
        // The same words as for an object that does not exist: B cannot tell A's from nothing.
        const noneUrl = fillPath(path, fx, true);
        const none = await call(baseURL!, method, noneUrl, headers, bodyOf(entry, fx));
        expect(none.status, noneUrl).toBe(404);
        const real = url.split("/").filter((seg, i) => seg !== noneUrl.split("/")[i]);
        const fake = noneUrl.split("/").filter((seg, i) => seg !== url.split("/")[i]);
        expect(
          real.reduce((m, seg, i) => m.replaceAll(seg, fake[i]), res.error!.message),
          label,
        ).toBe(none.error?.message);
        // Its owner reaches it (so the 404 is B's, not the object's absence).
        let own = "-";
        if (method === "GET") {
          const asA = await call(baseURL!, method, url, fx.a.token);
          expect(asA.status, `A: GET ${url} → ${asA.text.slice(0, 200)}`).toBe(200);
          own = "200";
        }
        if (via === "token")
          results.push({ route: `${method} ${path}`, asB: "404", "no object": "404, same message", "A itself": own });
      }
    }
    printTable("B on A's real objects (by token and by session)", results);
    expect(await snapshotOfA(request, fx)).toEqual(before);
    // A's token, which B tried to revoke, still works; A's session too.
    expect((await call(baseURL!, "GET", "/api/v1/quota", fx.a.token)).status).toBe(200);
    expect(
      JSON.parse((await call(baseURL!, "GET", "/api/auth/session", { cookie: fx.a.cookie })).text).user.email,
    ).toBe(fx.a.email);
  });

  test("lists and other parameterless routes show B its own data and nothing of A's (which A's own call shows)", async ({
    request,
    baseURL,
  }) => {
    // Where B's own environment must appear (B has no rules, endpoints or findings), and where A's must, for A.
    const bSeesOwn = ["GET /api/v1/environments", "GET /api/v1/topology", "GET /api/v1/metrics", "GET /api/v1/events"];
    const aSeesOwn = [...bSeesOwn, "GET /api/v1/alerts", "GET /api/v1/endpoints", "GET /api/v1/doctor"];
    const rows: { route: string; B: string; "A's env in A's answer": string }[] = [];
    for (const { key, method, path, entry } of entries()) {
      if (entry.access.kind !== "self") continue;
      const read = async (headers: Record<string, string>, body?: unknown) => {
        if (entry.stream) return firstEvent(baseURL!, headers);
        return call(baseURL!, method, path, headers, body);
      };
      const sent = entry.asB ? entry.asB.body(fx) : undefined;
      const asB = await read(fx.b.token, sent);
      expect(asB.status, `B: ${key} → ${asB.text.slice(0, 200)}`).toBe(entry.asB?.status ?? 200);
      expect(leaksOfA(fx, asB.text, leaksOfA(fx, JSON.stringify(sent ?? ""))), `B: ${key}`).toEqual([]);
      const bySession = await read({ cookie: fx.b.cookie }, method === "GET" ? undefined : sent);
      expect(leaksOfA(fx, bySession.text, leaksOfA(fx, JSON.stringify(sent ?? ""))), `B (session): ${key}`).toEqual([]);
      let control = "-";
      if (bSeesOwn.includes(key)) expect(asB.text, `B sees its own environment in ${key}`).toContain(fx.b.env);
      if (aSeesOwn.includes(key)) {
        const asA = await read(fx.a.token);
        expect(asA.text, `A sees its own environment in ${key}`).toContain(fx.a.env);
        control = "yes";
      }
      rows.push({
        route: key,
        B: `${asB.status}, none of A's ${identifiersOfA(fx).length} identifiers`,
        "A's env in A's answer": control,
      });
    }
    printTable("Parameterless routes as B", rows);
    // Admin routes as the admin: A is there (the admin check is what keeps B out).
    expect((await call(baseURL!, "GET", "/api/v1/users", fx.admin)).text).toContain(fx.a.email);
    // next-auth's session as B names B only.
    const session = JSON.parse((await call(baseURL!, "GET", "/api/auth/session", { cookie: fx.b.cookie })).text);
    expect(session.user.email).toBe(fx.b.email);
    expect(leaksOfA(fx, JSON.stringify(session))).toEqual([]);
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });
});
