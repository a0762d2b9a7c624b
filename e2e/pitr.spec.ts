import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

test.describe.serial("point-in-time recovery: archive binary logs, restore to a second", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("Archive binary logs, take a backup, write, Restore to a chosen second: exactly the rows of that second", async ({
    page,
    request,
  }, testInfo) => {
    test.setTimeout(120_000);
    const headers = await apiToken(request);
    const sql = async (statement: string) =>
      (await request.post("/api/v1/environments/vault/sql", { headers, data: { statement } })).json();
    expect((await request.post("/api/v1/environments", { headers, data: { name: "vault" } })).status()).toBe(201);
    expect((await request.post("/api/v1/environments/vault/replication/binlog", { headers })).status()).toBe(200);
    await sql("CREATE DATABASE vault");
    await sql("CREATE TABLE vault.coins (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME)");

    await signIn(page);
    await page.goto("/environments/vault/backups");
    await page.getByRole("button", { name: "Archive binary logs" }).click();
    await expect(page.getByRole("button", { name: "Stop archiving binary logs" })).toBeVisible();
    await page.getByRole("button", { name: "Take backup now" }).click();
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });

    // Rows in one second (the target), then one more a second later that must not come back.
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 3; i++) await sql("INSERT INTO vault.coins (at) VALUES (NOW())");
    const target = (await sql("SELECT DATE_FORMAT(MAX(at), '%Y-%m-%d %H:%i:%s') FROM vault.coins")).rows[0][0];
    const kept = Number((await sql(`SELECT COUNT(*) FROM vault.coins WHERE at <= '${target}'`)).rows[0][0]);
    await new Promise((r) => setTimeout(r, 1100));
    await sql("INSERT INTO vault.coins (at) VALUES (NOW())");
    const lastAt = (await sql("SELECT DATE_FORMAT(MAX(at), '%Y-%m-%dT%H:%i:%sZ') FROM vault.coins")).rows[0][0];
    await expect
      .poll(
        async () => {
          const view = await (await request.get("/api/v1/environments/vault/binlog-archive", { headers })).json();
          return view?.to && Date.parse(view.to) >= Date.parse(lastAt);
        },
        { timeout: 20_000 },
      )
      .toBe(true);

    await page.reload();
    const window = page.getByTestId("pitr-window");
    await expect(window).toContainText("Recoverable from");
    await expect(window).toContainText("vault master since");
    await page.getByLabel("Restore to (UTC time or GTID)").fill(target);
    await page.getByLabel("Into a new environment", { exact: true }).fill("vault-then");
    await page.getByRole("button", { name: "Restore to this point" }).click();
    const progress = page.getByRole("list", { name: "Progress" });
    await expect(progress).toContainText("replaying vault's archived binary logs", { timeout: 60_000 });
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
    await page.screenshot({ path: testInfo.outputPath("point-in-time.png"), fullPage: true });
    const restored = await (
      await request.post("/api/v1/environments/vault-then/sql", {
        headers,
        data: { statement: "SELECT COUNT(*) FROM vault.coins" },
      })
    ).json();
    expect(Number(restored.rows[0][0])).toBe(kept);
    expect(kept).toBeGreaterThanOrEqual(3);
  });
});
