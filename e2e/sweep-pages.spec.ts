import { expect, test } from "@playwright/test";
import { ADMIN } from "../playwright.config";
import { builtAppPaths, pageFiles, printTable, type PageFile } from "./sweep/enumerate";
import { call } from "./sweep/http";
import { type Fixture, type SnapshotOfA, leaksOfA, sessionCookie, snapshotOfA, sweepTenants } from "./sweep/tenants";

// Every page of the app, found in the source and checked against the build: console pages send visitors without
// a session (or with a forged one) to sign-in, give B a 404 on A's environment and admin pages, and show B
// nothing of A's anywhere; A (and the admin) see their own, so the checks can see a leak.

const FORGED = "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..c3dlZXA.Zm9yZ2VkLXNlc3Npb24.c3dlZXA";
/** Pages outside the console layout, with why they need no session. */
const PUBLIC_PAGES: Record<string, string> = {
  "/signin": "the sign-in form itself",
  "/": "redirects to /environments (where the console's checks apply)",
};

const consolePages = () => pageFiles().filter((p) => p.appPath.startsWith("/(console)/"));
const urlOf = (p: PageFile, env: string) => p.path.replace("[name]", env);
/** A's object a page names: its Galera cluster for /galera/[name], else its environment. */
const ownName = (p: PageFile, fx: Fixture) => (p.path.startsWith("/galera/") ? fx.a.cluster : fx.a.env);

test.describe.serial("sweep: every page", () => {
  let fx: Fixture;
  let before: SnapshotOfA;
  let adminCookie: string | undefined;
  sweepTenants((f, b) => ((fx = f), (before = b)));

  test("the page files are exactly the build's pages; each outside the console is listed with its reason", () => {
    const pages = pageFiles();
    const built = builtAppPaths().filter((p) => p.endsWith("/page"));
    expect(pages.map((p) => p.appPath).sort(), "app/**/page.tsx vs .next/server/app-paths-manifest.json").toEqual(
      built,
    );
    expect(
      pages
        .filter((p) => !p.appPath.startsWith("/(console)/"))
        .map((p) => p.path)
        .sort(),
    ).toEqual(Object.keys(PUBLIC_PAGES).sort());
    const access = (p: PageFile) => PUBLIC_PAGES[p.path] ?? (p.path.startsWith("/admin") ? "admin" : "session");
    printTable(
      `Pages (${pages.length})`,
      pages.map((p) => ({ page: p.path, group: p.appPath.split("/")[1], access: access(p) })),
    );
  });

  test("without a session, and with a forged session cookie, every console page sends the visitor to /signin", async ({
    baseURL,
  }) => {
    for (const p of consolePages()) {
      const url = urlOf(p, ownName(p, fx));
      const none = await call(baseURL!, "GET", url);
      expect(none.status, `no cookie: ${url}`).toBe(307);
      const to = new URL(none.location!, baseURL);
      expect(to.pathname + to.search).toBe(`/signin?callbackUrl=${encodeURIComponent(url)}`);
      // Past the proxy (a cookie is there): the page's own check finds no session in it.
      const forged = await call(baseURL!, "GET", url, { cookie: FORGED });
      expect(forged.status, `forged cookie: ${url} → ${forged.text.slice(0, 120)}`).toBe(307);
      expect(new URL(forged.location!, baseURL).pathname, `forged cookie: ${url}`).toBe("/signin");
      expect(leaksOfA(fx, forged.text, leaksOfA(fx, url)), url).toEqual([]);
    }
    expect((await call(baseURL!, "GET", "/signin")).status).toBe(200);
    expect((await call(baseURL!, "GET", "/")).location).toMatch(/\/signin\?callbackUrl=%2F$/);
  });

  test("B's session: A's environment pages and the admin pages are 404; every other page shows B nothing of A's", async ({
    baseURL,
    request,
  }) => {
    const rows: { page: string; B: string; "A (or admin)": string }[] = [];
    for (const p of consolePages()) {
      const url = urlOf(p, ownName(p, fx));
      const asB = await call(baseURL!, "GET", url, { cookie: fx.b.cookie });
      const label = `B: GET ${url}`;
      expect(leaksOfA(fx, asB.text, leaksOfA(fx, url)), label).toEqual([]);
      expect(asB.text, `${label} is B's console`).toContain(fx.b.email);
      if (p.path.includes("[name]") || p.path.startsWith("/admin/")) {
        expect(asB.status, label).toBe(404);
        // The same page as for an environment that does not exist.
        if (p.path.includes("[name]")) {
          expect((await call(baseURL!, "GET", urlOf(p, "sweep-none-env"), { cookie: fx.b.cookie })).status).toBe(404);
        }
      } else expect(asB.status, label).toBe(200);
      // Its owner (the admin for admin pages) gets the page, with A's data on it where the page shows data.
      const owner = p.path.startsWith("/admin/") ? (adminCookie ??= await sessionCookie(baseURL!, ADMIN)) : fx.a.cookie;
      const asOwner = await call(baseURL!, "GET", url, { cookie: owner });
      expect(asOwner.status, `owner: GET ${url}`).toBe(200);
      if (p.path.includes("[name]") || ["/environments", "/topology", "/audit", "/admin/users"].includes(p.path)) {
        expect(asOwner.text, `owner: GET ${url} shows A's data`).toContain(
          p.path === "/admin/users" ? fx.a.email : ownName(p, fx),
        );
      }
      rows.push({ page: p.path, B: String(asB.status), "A (or admin)": String(asOwner.status) });
    }
    // The audit log filtered by A's environment name shows B nothing.
    const audit = await call(baseURL!, "GET", `/audit?environment=${fx.a.env}`, { cookie: fx.b.cookie });
    expect(audit.status).toBe(200);
    expect(leaksOfA(fx, audit.text, [fx.a.env])).toEqual([]);
    expect((await call(baseURL!, "GET", `/audit?environment=${fx.a.env}`, { cookie: fx.a.cookie })).text).toContain(
      "backup.take",
    );
    printTable("Console pages with B's session", rows);
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });
});
