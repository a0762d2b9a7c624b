import { expect, test, type Page } from "@playwright/test";
import mysql from "mysql2/promise";
import { ADMIN } from "../playwright.config";

async function signIn(page: Page) {
  await page.goto("/environments");
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
}

test("anonymous visitors are sent to sign-in and the API refuses them", async ({ page, request }) => {
  for (const path of ["/environments", "/environments/anything", "/tokens", "/admin/users"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin/);
  }
  for (const [method, path] of [
    ["GET", "/api/v1/environments"],
    ["POST", "/api/v1/environments"],
    ["GET", "/api/v1/environments/x"],
    ["DELETE", "/api/v1/environments/x"],
    ["POST", "/api/v1/environments/x/actions"],
    ["GET", "/api/v1/environments/x/connection"],
    ["GET", "/api/v1/environments/x/logs"],
    ["GET", "/api/v1/operations/x"],
    ["GET", "/api/v1/users"],
  ]) {
    const res = await request.fetch(path, { method, data: method === "GET" ? undefined : {} });
    expect(res.status(), `${method} ${path}`).toBe(401);
  }
});

test("wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong e-mail or password")).toBeVisible();
});

test("create an environment, see it running, reveal credentials, stop/start, delete, sign out", async ({ page }) => {
  await signIn(page);

  await page.getByRole("button", { name: "New environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await expect(dialog).toContainText(/MariaDB 10\.\d+/);

  // A hostile name is refused with a clear message and creates nothing.
  await dialog.getByLabel("Name").fill("x'; drop");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByRole("alert")).toContainText("DNS label");

  await dialog.getByLabel("Name").fill("masterbase");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.locator('[data-step="initializing data directory"]')).toBeVisible();
  // Progress steps, then the environment page.
  await expect(page).toHaveURL(/\/environments\/masterbase$/, { timeout: 60_000 });
  await expect(page.getByTestId("status-badge")).toHaveText("running");
  await expect(page.getByTestId("uptime")).not.toHaveText("—");

  // Credentials: reveal, then prove they work with an ordinary client.
  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(page.getByTestId("root-password")).toHaveText(/^[A-Za-z0-9]{24}$/);
  const password = (await page.getByTestId("root-password").textContent())!.trim();
  const [host, port] = (await page.getByTestId("address").textContent())!.trim().split(":");
  const conn = await mysql.createConnection({ host, port: Number(port), user: "root", password });
  const [rows] = await conn.query("SELECT VERSION() AS v");
  expect((rows as { v: string }[])[0].v).toMatch(/MariaDB/);
  await conn.end();

  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(page.getByTestId("status-badge")).toHaveText("stopped");
  await expect(mysql.createConnection({ host, port: Number(port), user: "root", password })).rejects.toThrow();

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByTestId("status-badge")).toHaveText("running");

  // The list shows it running.
  await page.getByRole("link", { name: "Environments", exact: true }).first().click();
  await expect(page.getByTestId("env-row-masterbase").getByTestId("status-badge")).toHaveText("running");
  await page.getByRole("link", { name: "masterbase" }).click();

  // Delete needs the name typed.
  await page.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete masterbase?" });
  await expect(confirm.getByRole("button", { name: "Delete environment" })).toBeDisabled();
  await confirm.getByLabel("Type the environment name to confirm").fill("masterbase");
  await confirm.getByRole("button", { name: "Delete environment" }).click();
  await expect(page).toHaveURL(/\/environments$/);
  await expect(page.getByTestId("env-row-masterbase")).toHaveCount(0);
  await expect(
    mysql.createConnection({ host, port: Number(port), user: "root", password, connectTimeout: 2000 }),
  ).rejects.toThrow();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/environments");
  await expect(page).toHaveURL(/\/signin/);
});
