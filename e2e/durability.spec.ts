import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

test.describe.serial("durability: semi-synchronous replication and the automatic failover policy", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("switch a master to semi-sync, see it active on the Topology and Replication tabs and the map", async ({
    page,
    request,
  }, testInfo) => {
    test.setTimeout(120_000);
    const headers = await apiToken(request);
    expect((await request.post("/api/v1/environments", { headers, data: { name: "vault" } })).status()).toBe(201);
    expect((await request.post("/api/v1/environments/vault/replication/binlog", { headers })).status()).toBe(200);
    expect((await request.post("/api/v1/environments/vault/slaves", { headers, data: { count: 1 } })).status()).toBe(
      201,
    );

    await signIn(page);
    await page.goto("/environments/vault/topology");
    const card = page.locator("section", { hasText: "Durability" });
    await expect(card.getByTestId("semi-sync-state")).toContainText("Asynchronous");
    await card.getByLabel("Semi-synchronous").check();
    await card.getByLabel("Semi-sync timeout milliseconds").fill("800");
    await card.getByRole("button", { name: "Save durability" }).click();
    await expect(card.getByRole("status")).toHaveText("Durability saved.", { timeout: 60_000 });
    await expect(card.getByTestId("semi-sync-state")).toContainText("Semi-sync active");
    await expect(card.getByTestId("semi-sync-state")).toContainText("1 semi-sync slave (AFTER_SYNC, timeout 800 ms)");
    await page.screenshot({ path: testInfo.outputPath("durability.png"), fullPage: true });

    await page.goto("/environments/vault/replication");
    await expect(page.getByTestId("semi-sync-state")).toContainText("Semi-sync active");
    await page.goto("/environments/vault-slave-1/replication");
    await expect(page.getByTestId("semi-sync-state")).toContainText("Semi-sync slave");
    await page.goto("/topology");
    await expect(page.getByTestId("topology-node-vault")).toContainText("semi-sync");
    await expect(page.getByTestId("topology-node-vault-slave-1")).toContainText("semi-sync slave");

    // The slave stops acknowledging: the master falls back, and the tab says so.
    expect(
      (
        await request.post("/api/v1/environments/vault-slave-1/sql", { headers, data: { statement: "STOP SLAVE" } })
      ).status(),
    ).toBe(200);
    await page.goto("/environments/vault/topology");
    const state = page.locator("main").getByRole("alert").filter({ hasText: "Semi-sync fallen back" });
    await expect(state).toContainText("Semi-sync fallen back to asynchronous");
    await expect(state).toContainText("no semi-sync slave is connected");
  });

  test("the automatic failover policy says what it checks and how long it waits", async ({ page }) => {
    await signIn(page);
    await page.goto("/environments/vault/topology");
    await expect(page.getByTestId("failover-explained")).toContainText("every 200 ms");
    await expect(page.getByTestId("failover-explained")).toContainText("for 500 ms");
    await page.getByLabel(/Automatic failover when vault is dead/).check();
    await page.getByLabel("Confirmation milliseconds").fill("1500");
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByTestId("failover-explained")).toContainText("for 1500 ms");
    await page.getByLabel("Confirmation milliseconds").fill("50");
    await page.getByRole("button", { name: "Save policy" }).click();
    // Below the 200 ms probe interval: refused (the browser stops it at the field's minimum), nothing changes.
    await page.reload();
    await expect(page.getByTestId("failover-explained")).toContainText("for 1500 ms");
  });
});
