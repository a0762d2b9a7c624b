import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiToken, deleteAll, tokenFrom } from "./helpers";

// The sweeps of every route, server action and page (anonymous, another tenant, non-admin, hostile input) are
// generated from the code in e2e/sweep-*.spec.ts; this suite keeps webhooks, token revocation and rate limits.

const USER_B = { email: "bob@e2e.test", password: "bob-password-123" };

async function tokenFor(request: APIRequestContext, who: { email: string; password: string }) {
  const res = await request.post("/api/v1/auth/token", { data: who });
  expect(res.status(), `token for ${who.email}`).toBe(201);
  return { authorization: `Bearer ${(await res.json()).token}` };
}

test.describe.serial("webhooks, tokens, rate limits", () => {
  let a: Record<string, string>;
  let b: Record<string, string>;

  test.beforeAll(async ({ request }) => {
    a = await apiToken(request);
    const add = await request.post("/api/v1/users", { headers: a, data: { ...USER_B, role: "user" } });
    expect([201, 409]).toContain(add.status());
    b = await tokenFor(request, USER_B);
    const created = await request.post("/api/v1/environments", { headers: a, data: { name: "tenant" } });
    expect(created.status()).toBe(201);
  });
  test.afterAll(async ({ request }) => deleteAll(request));

  test("alert webhooks aimed at the console's network are refused with a 422 and nothing is stored", async ({
    request,
  }) => {
    const url = "/api/v1/environments/tenant/alert-rules";
    for (const webhookUrl of [
      "http://127.0.0.1:3210/api/v1/users",
      "http://10.0.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::ffff:127.0.0.1]/",
    ]) {
      const res = await request.post(url, { headers: a, data: { kind: "node-down", forSec: 86_400, webhookUrl } });
      expect(res.status(), webhookUrl).toBe(422);
      const { error } = await res.json();
      expect(error.code).toBe("webhook_refused");
      expect(error.message).toMatch(/MARINER_WEBHOOK_ALLOW/);
    }
    // The one loopback address this console's admin allowed (playwright.config.ts) is accepted.
    const allowed = await request.post(url, {
      headers: a,
      data: { kind: "node-down", forSec: 86_400, webhookUrl: "http://127.0.0.55:9/hook" },
    });
    expect(allowed.status()).toBe(201);
    const { rules } = await (await request.get("/api/v1/alerts", { headers: a })).json();
    expect(rules.map((r: { webhookUrl: string }) => r.webhookUrl)).toEqual(["http://127.0.0.55:9/hook"]);
    expect(
      (await request.delete(`/api/v1/alert-rules/${(await allowed.json()).id}`, { headers: a })).status(),
    ).toBeLessThan(300);
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
      expect(
        (await request.post("/api/v1/auth/token", { data: { email: USER_B.email, password: `wrong-${i}` } })).status(),
      ).toBe(401);
    }
    const limited = await request.post("/api/v1/auth/token", { data: USER_B });
    expect(limited.status()).toBe(429);
    expect((await limited.json()).error.message).toMatch(/Too many failed sign-ins.*try again in \d+ s/);
    // Only this address waits: the account's owner gets in from another one.
    expect((await tokenFrom("127.0.0.10", baseURL!, USER_B)).status).toBe(201);
  });
});
