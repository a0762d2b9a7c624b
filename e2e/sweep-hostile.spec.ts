import { expect, test } from "@playwright/test";
import { printTable } from "./sweep/enumerate";
import { hostileBodies } from "./sweep/hostile";
import { call } from "./sweep/http";
import { ROUTES, fillPath } from "./sweep/routes";
import { type Fixture, type SnapshotOfA, snapshotOfA, sweepTenants } from "./sweep/tenants";

// Hostile input to every write route, generated from the zod schema its service parses with (e2e/sweep/hostile.ts):
// each case must get exactly the 400 (413 for an oversized body) and message that schema gives, never a 500,
// and nothing of A's (or the admin's lists) may change.

const HOSTILE_SEGMENTS = [
  "..%2F..%2Fetc%2Fpasswd",
  "..%5C..%5Cwin.ini",
  "a%20b",
  "%C3%BC",
  "x'%3B%20DROP%20DATABASE%20mysql",
  "a%00b",
  "%25",
  "x".repeat(300),
];

test.describe.serial("sweep: hostile input to every write route", () => {
  let fx: Fixture;
  let before: SnapshotOfA;
  sweepTenants((f, b) => ((fx = f), (before = b)));

  test("bodies generated from each route's schema: the schema's own 400 and words, never a 500, nothing changed", async ({
    request,
    baseURL,
  }) => {
    test.setTimeout(300_000);
    const rows: Record<string, string | number>[] = [];
    const statuses: Record<number, number> = {};
    for (const [key, entry] of Object.entries(ROUTES)) {
      const [method, path] = key.split(" ");
      if (entry.body === "none") {
        if (method !== "GET") rows.push({ route: key, fields: "(reads no body)", sent: 0, "accepted, not sent": "-" });
        continue;
      }
      expect(entry.valid, `${key} needs a valid body in e2e/sweep/routes.ts`).toBeTruthy();
      const valid = entry.valid!(fx);
      const { cases, fields, accepted } = hostileBodies(entry.body, valid);
      const kind = entry.access.kind;
      const headers = kind === "public" ? {} : kind === "admin" ? fx.admin : fx.a.token;
      const url = fillPath(path, fx);
      for (const c of cases) {
        const res = await call(baseURL!, method, url, { ...headers, "content-type": "application/json" }, c.raw);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const label = `${method} ${url} with ${c.label} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, label).toBe(c.status);
        expect(res.error, label).toEqual({ code: c.code, message: c.message });
      }
      const open = Object.entries(accepted).map(([f, labels]) => `${f} ${labels.length}`);
      rows.push({
        route: key,
        fields: fields.join(", "),
        sent: cases.length,
        "accepted, not sent": open.join(", ") || "none",
      });
    }
    printTable(
      "Hostile bodies by route (accepted = hostile-looking values the schema allows for that field, e.g. a password)",
      rows,
    );
    console.log(`hostile answers by status: ${JSON.stringify(statuses)}`);
    expect(Object.keys(statuses).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });

  test("hostile path parameters are simply not found", async ({ request, baseURL }) => {
    let sent = 0;
    for (const [key, entry] of Object.entries(ROUTES)) {
      const [method, path] = key.split(" ");
      if (!/\[\w+\]/.test(path) || entry.access.kind === "public") continue;
      const headers = entry.access.kind === "admin" ? fx.admin : fx.a.token;
      const filled = fillPath(path, fx);
      const real = filled.split("/").filter((seg, i) => seg !== path.split("/")[i]);
      for (const segment of HOSTILE_SEGMENTS) {
        const url = real.reduce((u, r) => u.replace(`/${r}`, `/${segment}`), filled);
        const res = await call(baseURL!, method, url, headers, entry.body === "none" ? undefined : entry.valid!(fx));
        expect([400, 404], `${method} ${url} → ${res.status} ${res.text.slice(0, 160)}`).toContain(res.status);
        sent++;
      }
    }
    console.log(`hostile path parameters: ${sent} requests, all 400/404`);
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });
});
