import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ADMIN } from "../playwright.config";
import { apiToken, deleteAll, tokenFrom } from "./helpers";

/** Every API route and its methods, read from the app directory: a new route is swept automatically. */
function apiRoutes(): { path: string; methods: string[] }[] {
  const root = path.resolve("app/api/v1");
  const out: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === "route.ts") {
        const rel = path.relative(path.resolve("app"), dir).split(path.sep).join("/");
        const methods = [...fs.readFileSync(full, "utf8").matchAll(/export async function (GET|POST|PUT|DELETE|PATCH)\b/g)].map((m) => m[1]);
        out.push({ path: `/${rel}`, methods });
      }
    }
  };
  walk(root);
  return out;
}

/** Every console page, route groups stripped. */
function pages(): string[] {
  const root = path.resolve("app/(console)");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === "page.tsx") out.push("/" + path.relative(root, dir).split(path.sep).filter((s) => !/^\(.*\)$/.test(s)).join("/"));
    }
  };
  walk(root);
  return out;
}

const fill = (p: string, values: Record<string, string>) => p.replace(/\[(\w+)\]/g, (_, k) => values[k] ?? "x");

const USER_B = { email: "bob@e2e.test", password: "bob-password-123" };

async function tokenFor(request: APIRequestContext, who: { email: string; password: string }) {
  const res = await request.post("/api/v1/auth/token", { data: who });
  expect(res.status(), `token for ${who.email}`).toBe(201);
  return { authorization: `Bearer ${(await res.json()).token}` };
}

test.describe.serial("tenancy, hostile input, tokens, rate limits", () => {
  let a: Record<string, string>;
  let b: Record<string, string>;
  let tokenIdOfA: string;

  test.beforeAll(async ({ request }) => {
    a = await apiToken(request);
    const add = await request.post("/api/v1/users", { headers: a, data: { ...USER_B, role: "user" } });
    expect([201, 409]).toContain(add.status());
    b = await tokenFor(request, USER_B);
    const created = await request.post("/api/v1/environments", { headers: a, data: { name: "tenant" } });
    expect(created.status()).toBe(201);
    const check = await request.post("/api/v1/environments/tenant/replication/check", { headers: a });
    expect(check.status()).toBe(200);
    tokenIdOfA = (await (await request.get("/api/v1/tokens", { headers: a })).json()).tokens[0].id;
  });
  test.afterAll(async ({ request }) => deleteAll(request));

  test("every API route refuses anonymous callers, and user B cannot touch user A's environment", async ({ request }) => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      for (const method of route.methods) {
        const url = fill(route.path, { name: "tenant", id: tokenIdOfA });
        const anonymous = await request.fetch(url, { method, data: method === "GET" ? undefined : {} });
        if (route.path === "/api/v1/auth/token") {
          expect(anonymous.status(), `${method} ${url}`).toBe(400);
          continue;
        }
        expect(anonymous.status(), `anonymous ${method} ${url}`).toBe(401);
        if (!route.path.includes("[") && route.path !== "/api/v1/users") continue;
        const asB = await request.fetch(url, { method, headers: b, data: method === "GET" ? undefined : {} });
        expect([403, 404], `user B ${method} ${url} → ${asB.status()}`).toContain(asB.status());
      }
    }
    // A's environment is still there, untouched.
    const env = await (await request.get("/api/v1/environments/tenant", { headers: a })).json();
    expect(env.status).toBe("running");
    expect((await (await request.get("/api/v1/environments", { headers: b })).json()).environments).toHaveLength(0);
  });

  test("every console page sends anonymous visitors to sign-in; user B gets 404 on A's pages", async ({ page, browser }) => {
    const all = pages();
    expect(all).toEqual(expect.arrayContaining(["/environments", "/environments/[name]", "/environments/[name]/config", "/environments/[name]/replication", "/environments/[name]/sql"]));
    for (const p of all) {
      await page.goto(fill(p, { name: "tenant" }));
      await expect(page, p).toHaveURL(/\/signin/);
    }
    const ctx = await browser.newContext();
    const bob = await ctx.newPage();
    await bob.goto("/signin");
    await bob.getByLabel("E-mail").fill(USER_B.email);
    await bob.getByLabel("Password").fill(USER_B.password);
    await bob.getByRole("button", { name: "Sign in" }).click();
    await expect(bob.getByRole("heading", { name: "Environments" })).toBeVisible();
    for (const p of all.filter((x) => x.includes("[name]"))) {
      const res = await bob.goto(fill(p, { name: "tenant" }));
      expect(res?.status(), p).toBe(404);
    }
    const admin = await bob.goto("/admin/users");
    expect(admin?.status()).toBe(404);
    await ctx.close();
  });

  test("hostile input to every write route: 4xx with a clear message, nothing executed or created", async ({ request }) => {
    const big = "x".repeat(10_000);
    const nasty = ["../x", "a b", "ünï", big, "x'; DROP DATABASE mysql; --", "a`b", "a;b", "a\u0000b", 42, null, [], {}];
    const before = await (await request.get("/api/v1/environments/tenant/replication/status", { headers: a })).json();
    const cnfBefore = (await (await request.get("/api/v1/environments/tenant/config", { headers: a })).json()).content;
    const cases: [string, string, (v: unknown) => unknown][] = [
      ["POST", "/api/v1/environments", (v) => ({ name: v })],
      ["POST", "/api/v1/environments", (v) => ({ name: "ok", memoryMb: v })],
      ["POST", "/api/v1/environments/tenant/actions", (v) => ({ action: v })],
      ["POST", "/api/v1/environments/tenant/replication/users", (v) => ({ user: v, password: v, host: v })],
      ["POST", "/api/v1/environments/tenant/replication/users", (v) => ({ user: "ok", password: "ok", host: v })],
      ["DELETE", "/api/v1/environments/tenant/replication/users", (v) => ({ user: v, host: v })],
      ["PUT", "/api/v1/environments/tenant/replication/master", (v) => ({ host: v, port: v, user: v, password: v })],
      ["PUT", "/api/v1/environments/tenant/replication/master", (v) => ({ masterEnvironment: v, user: "u", password: "p" })],
      ["POST", "/api/v1/environments/tenant/replication/control", (v) => ({ action: v, count: v })],
      ["POST", "/api/v1/environments/tenant/replication/control", (v) => ({ action: "full-start", connection: v })],
      ["PUT", "/api/v1/environments/tenant/replication/master", (v) => ({ connection: v, host: "127.0.0.1", port: 3306, user: "u", password: "p" })],
      ["PUT", "/api/v1/environments/tenant/backup-policy", (v) => ({ verifySchedule: v === null ? "61 * * * *" : v })],
      ["POST", "/api/v1/environments/tenant/sql", (v) => ({ statement: "SELECT 1", database: v })],
      ["PUT", "/api/v1/environments/tenant/config", (v) => ({ content: typeof v === "string" ? undefined : v })],
      ["POST", "/api/v1/users", (v) => ({ email: v, password: v })],
      ["POST", "/api/v1/tokens", (v) => ({ name: v === null ? 5 : v, extra: 1 })],
    ];
    for (const [method, url, body] of cases) {
      for (const v of nasty) {
        const res = await request.fetch(url, { method, headers: a, data: body(v) });
        const status = res.status();
        expect(status >= 400 && status < 500, `${method} ${url} ${JSON.stringify(v)?.slice(0, 40)} → ${status}`).toBe(true);
        const json = await res.json().catch(() => null);
        expect(json?.error?.message, `${method} ${url} has a message`).toBeTruthy();
      }
    }
    // A 1 MB my.cnf and a body that is not JSON.
    const huge = await request.put("/api/v1/environments/tenant/config", { headers: a, data: { content: `[mysqld]\n${"# x\n".repeat(260_000)}` } });
    expect([400, 413]).toContain(huge.status());
    const notJson = await request.post("/api/v1/environments", { headers: { ...a, "content-type": "application/json" }, data: Buffer.from("{]") });
    expect(notJson.status()).toBe(400);
    // Paths with hostile names are simply not found.
    for (const name of ["..%2Fx", "a%20b", "%C3%BC", "x'%3B%20DROP"]) {
      expect((await request.get(`/api/v1/environments/${name}`, { headers: a })).status()).toBe(404);
    }
    // Nothing changed.
    const after = await (await request.get("/api/v1/environments/tenant/replication/status", { headers: a })).json();
    expect(after.replicationUsers).toEqual(before.replicationUsers);
    expect(after.slave).toBeNull();
    expect(after.connections).toEqual([]);
    expect((await (await request.get("/api/v1/environments/tenant/config", { headers: a })).json()).content).toBe(cnfBefore);
    const envs = (await (await request.get("/api/v1/environments", { headers: a })).json()).environments.map((e: { name: string }) => e.name);
    expect(envs).toEqual(["tenant"]);
    const users = (await (await request.get("/api/v1/users", { headers: a })).json()).users.map((u: { email: string }) => u.email);
    expect(users.sort()).toEqual([ADMIN.email, USER_B.email].sort());
  });

  test("alert webhooks aimed at the console's network are refused with a 422 and nothing is stored", async ({ request }) => {
    const url = "/api/v1/environments/tenant/alert-rules";
    for (const webhookUrl of ["http://127.0.0.1:3210/api/v1/users", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/"]) {
      const res = await request.post(url, { headers: a, data: { kind: "node-down", forSec: 86_400, webhookUrl } });
      expect(res.status(), webhookUrl).toBe(422);
      const { error } = await res.json();
      expect(error.code).toBe("webhook_refused");
      expect(error.message).toMatch(/MARINER_WEBHOOK_ALLOW/);
    }
    // The one loopback address this console's admin allowed (playwright.config.ts) is accepted.
    const allowed = await request.post(url, { headers: a, data: { kind: "node-down", forSec: 86_400, webhookUrl: "http://127.0.0.55:9/hook" } });
    expect(allowed.status()).toBe(201);
    const { rules } = await (await request.get("/api/v1/alerts", { headers: a })).json();
    expect(rules.map((r: { webhookUrl: string }) => r.webhookUrl)).toEqual(["http://127.0.0.55:9/hook"]);
    expect((await request.delete(`/api/v1/alert-rules/${(await allowed.json()).id}`, { headers: a })).status()).toBeLessThan(300);
  });

  test("tokens are revocable; sign-in failures are rate-limited", async ({ request, baseURL }) => {
    const res = await request.post("/api/v1/tokens", { headers: b, data: { name: "temp" } });
    const temp = { authorization: `Bearer ${(await res.json()).token}` };
    expect((await request.get("/api/v1/environments", { headers: temp })).status()).toBe(200);
    const { tokens } = await (await request.get("/api/v1/tokens", { headers: b })).json();
    const id = tokens.find((t: { name: string }) => t.name === "temp").id;
    expect((await request.delete(`/api/v1/tokens/${id}`, { headers: b })).status()).toBe(204);
    expect((await request.get("/api/v1/environments", { headers: temp })).status()).toBe(401);

    // Five wrong passwords are checked; then this address waits (growing delays), even with the right password.
    for (let i = 0; i < 5; i++) {
      expect((await request.post("/api/v1/auth/token", { data: { email: USER_B.email, password: `wrong-${i}` } })).status()).toBe(401);
    }
    const limited = await request.post("/api/v1/auth/token", { data: USER_B });
    expect(limited.status()).toBe(429);
    expect((await limited.json()).error.message).toMatch(/Too many failed sign-ins.*try again in \d+ s/);
    // Only this address waits: the account's owner gets in from another one.
    expect((await tokenFrom("127.0.0.10", baseURL!, USER_B)).status).toBe(201);
  });
});
