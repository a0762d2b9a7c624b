import { expect, test } from "@playwright/test";
import mysql from "mysql2/promise";
import { ADMIN } from "../playwright.config";

test("REST API: token, two environments, ordinary client, hostile names, delete", async ({ request }) => {
  const bad = await request.post("/api/v1/auth/token", { data: { email: ADMIN.email, password: "wrong" } });
  expect(bad.status()).toBe(401);
  const tokenRes = await request.post("/api/v1/auth/token", { data: { email: ADMIN.email, password: ADMIN.password } });
  expect(tokenRes.status()).toBe(201);
  const { token } = await tokenRes.json();
  const headers = { authorization: `Bearer ${token}` };

  for (const name of ["../x", "a b", "a".repeat(300), "x'; DROP"]) {
    const res = await request.post("/api/v1/environments", { headers, data: { name } });
    expect(res.status(), name).toBe(400);
    expect((await res.json()).error.message).toMatch(/Name/);
  }
  const malformed = await request.post("/api/v1/environments", {
    headers: { ...headers, "content-type": "application/json" },
    data: Buffer.from("{not json"),
  });
  expect(malformed.status()).toBe(400);
  expect((await malformed.json()).error.code).toBe("invalid_json");
  expect((await (await request.get("/api/v1/environments", { headers })).json()).environments).toHaveLength(0);

  const created = await Promise.all(
    ["apione", "apitwo"].map((name) => request.post("/api/v1/environments", { headers, data: { name } })),
  );
  for (const res of created) {
    expect(res.status()).toBe(201);
    expect((await res.json()).status).toBe("running");
  }
  const dup = await request.post("/api/v1/environments", { headers, data: { name: "apione" } });
  expect(dup.status()).toBe(409);

  for (const name of ["apione", "apitwo"]) {
    const conn = await (await request.get(`/api/v1/environments/${name}/connection`, { headers })).json();
    const c = await mysql.createConnection({
      host: conn.host,
      port: conn.port,
      user: conn.user,
      password: conn.password,
    });
    await c.query("CREATE DATABASE x");
    const [dbs] = await c.query("SHOW DATABASES LIKE 'x'");
    expect(dbs).toHaveLength(1);
    await c.end();
    const detail = await (await request.get(`/api/v1/environments/${name}`, { headers })).json();
    expect(detail.live.state).toBe("running");
  }

  const stop = await request.post("/api/v1/environments/apione/actions", { headers, data: { action: "stop" } });
  expect((await stop.json()).status).toBe("stopped");
  const badAction = await request.post("/api/v1/environments/apione/actions", { headers, data: { action: "explode" } });
  expect(badAction.status()).toBe(400);
  const logs = await (await request.get("/api/v1/environments/apione/logs?lines=5", { headers })).json();
  expect(logs.lines.length).toBeGreaterThan(0);

  for (const name of ["apione", "apitwo"]) {
    expect((await request.delete(`/api/v1/environments/${name}`, { headers })).status()).toBe(204);
    expect((await request.get(`/api/v1/environments/${name}`, { headers })).status()).toBe(404);
  }
});

test("cookie-authenticated writes from another origin are refused (CSRF)", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
  const res = await page.request.post("/api/v1/environments", {
    data: { name: "csrf" },
    headers: { origin: "http://evil.example" },
  });
  expect(res.status()).toBe(403);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.endsWith("next-auth.session-token"))!;
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe("Lax");
});
