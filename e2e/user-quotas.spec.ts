import fs from "node:fs";
import { expect, test, type Browser } from "@playwright/test";
import { nodesDirFor } from "../lib/paths";
import { E2E_DATA_DIR } from "../playwright.config";
import { apiToken, deleteAll, signIn } from "./helpers";

// Named to run after security.spec.ts, which expects to see only its own users.
const CAROL = { email: "carol@e2e.test", password: "carol-password-123" };

const nodeDirs = () => {
  const dir = nodesDirFor(E2E_DATA_DIR);
  return fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
};

async function signInAs(browser: Browser, who: { email: string; password: string }) {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
  return page;
}

test.describe.serial("quotas", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("an admin limits a user on the Users page; over the limit, New environment is refused and nothing is created", async ({
    page,
    browser,
    request,
  }) => {
    await signIn(page);
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("E-mail").fill(CAROL.email);
    await page.getByLabel("Password").fill(CAROL.password);
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByText(`Added ${CAROL.email}`)).toBeVisible();

    const row = page.getByTestId(`user-row-${CAROL.email}`);
    await expect(row).toContainText("0 of 20 (default)");
    await page.getByLabel("User", { exact: true }).selectOption({ label: CAROL.email });
    await page.getByLabel("Environment limit").fill("1");
    await page.getByRole("button", { name: "Save limits" }).click();
    await expect(page.getByText(`Saved limits for ${CAROL.email}: 0 of 1 environment · 0 MB of 8192 MB`)).toBeVisible();
    await expect(row).toContainText("0 of 1");
    await expect(row).not.toContainText("0 of 1 (default)");

    const carol = await signInAs(browser, CAROL);
    await expect(carol.getByTestId("quota-usage")).toHaveText("0 of 1 environment · 0 MB of 8192 MB");
    const dialog = carol.getByRole("dialog", { name: "New environment" });
    await carol.getByRole("button", { name: "New environment" }).click();
    await expect(dialog).toContainText("Your quota: 0 of 1 environment");
    await dialog.getByLabel("Name").fill("carol-one");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(carol).toHaveURL(/\/environments\/carol-one$/, { timeout: 60_000 });
    await expect(carol.getByTestId("status-badge")).toHaveText("running");

    await carol.goto("/environments");
    await expect(carol.getByTestId("quota-usage")).toHaveText("1 of 1 environment · 256 MB of 8192 MB");
    const dirsBefore = nodeDirs();
    await carol.getByRole("button", { name: "New environment" }).click();
    await dialog.getByLabel("Name").fill("carol-two");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(dialog.getByRole("alert")).toContainText(
      "Your quota allows 1 environment (1 in use). Ask an admin to raise it",
    );
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Nothing was created: no row, no node directory, no audit entry, usage unchanged.
    await carol.reload();
    await expect(carol.getByTestId("env-row-carol-one")).toBeVisible();
    await expect(carol.getByTestId("env-row-carol-two")).toHaveCount(0);
    await expect(carol.getByTestId("quota-usage")).toHaveText("1 of 1 environment · 256 MB of 8192 MB");
    expect(nodeDirs()).toBe(dirsBefore);
    const admin = await apiToken(request);
    const envs = (await (await request.get("/api/v1/environments", { headers: admin })).json()).environments.map(
      (e: { name: string }) => e.name,
    );
    expect(envs).not.toContain("carol-two");
    const audit = await page.request.get("/audit");
    expect(await audit.text()).not.toContain("carol-two");
    await carol.context().close();
  });

  test("the API: limits change only for admins, zod-checked; a user reads their own quota", async ({ request }) => {
    const admin = await apiToken(request);
    const token = await request.post("/api/v1/auth/token", { data: CAROL });
    const carol = { authorization: `Bearer ${(await token.json()).token}` };
    const { users } = await (await request.get("/api/v1/users", { headers: admin })).json();
    const id = users.find((u: { email: string }) => u.email === CAROL.email).id;

    const byCarol = await request.patch(`/api/v1/users/${id}`, { headers: carol, data: { maxEnvironments: 100 } });
    expect(byCarol.status()).toBe(403);
    expect((await byCarol.json()).error.code).toBe("forbidden");
    expect((await request.get(`/api/v1/users/${id}`, { headers: carol })).status()).toBe(403);
    for (const bad of [{ maxEnvironments: -1 }, { maxMemoryMb: "8 GB" }, {}, { role: "admin" }]) {
      expect(
        (await request.patch(`/api/v1/users/${id}`, { headers: admin, data: bad })).status(),
        JSON.stringify(bad),
      ).toBe(400);
    }

    const mine = await (await request.get("/api/v1/quota", { headers: carol })).json();
    expect(mine.summary).toBe("1 of 1 environment · 256 MB of 8192 MB");

    // Memory: room for another environment, not for 512 MB more than the limit allows.
    const patched = await request.patch(`/api/v1/users/${id}`, {
      headers: admin,
      data: { maxEnvironments: null, maxMemoryMb: 512 },
    });
    expect(patched.status()).toBe(200);
    expect((await patched.json()).quota.memoryMb).toEqual({ used: 256, limit: 512, isDefault: false });
    const refused = await request.post("/api/v1/environments", {
      headers: carol,
      data: { name: "carol-big", memoryMb: 512 },
    });
    expect(refused.status()).toBe(403);
    const error = (await refused.json()).error;
    expect(error.code).toBe("quota_exceeded");
    expect(error.message).toContain(
      "Your quota allows 512 MB of memory (256 MB in use); this environment needs 512 MB.",
    );
    const names = (await (await request.get("/api/v1/environments", { headers: carol })).json()).environments.map(
      (e: { name: string }) => e.name,
    );
    expect(names).toEqual(["carol-one"]);
  });
});
