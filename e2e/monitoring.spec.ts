import { gunzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

test.describe.serial("live status, backups, audit, metrics", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("a status change reaches an open page by server-sent events, without a reload", async ({ page, request }) => {
    const headers = await apiToken(request);
    expect((await request.post("/api/v1/environments", { headers, data: { name: "live" } })).status()).toBe(201);
    await signIn(page);
    const badge = page.getByTestId("env-row-live").getByTestId("status-badge");
    await expect(badge).toHaveText("running");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    expect(
      (await request.post("/api/v1/environments/live/actions", { headers, data: { action: "stop" } })).status(),
    ).toBe(200);
    await expect(badge).toHaveText("stopped", { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(
      (await request.post("/api/v1/environments/live/actions", { headers, data: { action: "start" } })).status(),
    ).toBe(200);
    await expect(badge).toHaveText("running", { timeout: 30_000 });
  });

  test("Take backup now with progress, download it, see it in the audit log and the metrics", async ({
    page,
    request,
  }) => {
    const headers = await apiToken(request);
    await request.post("/api/v1/environments/live/sql", { headers, data: { statement: "CREATE DATABASE kept" } });
    await signIn(page);
    await page.goto("/environments/live/backups");
    // A logical backup first (chosen), then one of the default kind: physical.
    await page.getByLabel("Kind").selectOption({ label: "Logical (mariadb-dump)" });
    await page.getByRole("button", { name: "Take backup now" }).click();
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
    await page.goto("/environments/live/backups");
    await expect(page.getByLabel("Kind")).toHaveValue("physical");
    await page.getByRole("button", { name: "Take backup now" }).click();
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
    await page.reload();
    const [physical, logical] = [page.getByTestId("backup-row").nth(0), page.getByTestId("backup-row").nth(1)];
    await expect(physical).toContainText("physical");
    await expect(logical).toContainText("logical");
    const download = async (row: typeof physical) => {
      await expect(row).toContainText("succeeded");
      const href = await row.getByRole("link", { name: "Download" }).getAttribute("href");
      const file = await page.request.get(href!);
      expect(file.status()).toBe(200);
      expect(file.headers()["content-type"]).toBe("application/gzip");
      expect(file.headers()["x-checksum-sha256"]).toMatch(/^[0-9a-f]{64}$/);
      const body = await file.body();
      expect(body[0]).toBe(0x1f); // gzip magic
      expect(body[1]).toBe(0x8b);
      return gunzipSync(body);
    };
    const sqlText = (await download(logical)).toString("utf8");
    expect(sqlText).toContain("CREATE DATABASE");
    expect(sqlText).toContain("`kept`");
    const stream = await download(physical);
    expect(stream.subarray(0, 8).toString("latin1")).toBe("XBSTCK01"); // mariadb-backup's xbstream
    expect(stream.includes(Buffer.from("kept/db.opt"))).toBe(true);

    await page.goto("/audit?action=backup.");
    await expect(page.getByTestId("audit-table").locator('[data-action="backup.take"]').first()).toContainText(
      "succeeded",
    );

    const metrics = await request.get("/api/v1/metrics", { headers });
    expect(metrics.status()).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('mariner_node_up{environment="live"} 1');
    expect(text).toMatch(/mariner_operations_total\{action="backup.take",status="succeeded"\} 2/);
    expect((await request.get("/api/v1/metrics")).status()).toBe(401);
  });

  test("Restore… over an existing environment: typed name, safety backup first, then the backup's databases", async ({
    page,
    request,
  }) => {
    const headers = await apiToken(request);
    expect((await request.post("/api/v1/environments", { headers, data: { name: "target" } })).status()).toBe(201);
    await request.post("/api/v1/environments/target/sql", { headers, data: { statement: "CREATE DATABASE doomed" } });
    await signIn(page);
    await page.goto("/environments/live/backups");
    await page.getByTestId("backup-row").first().getByRole("button", { name: "Restore…" }).click();
    const form = page.getByRole("form", { name: "Restore" });
    await form.getByLabel("Over an existing environment").check();
    await form.getByLabel("Environment to overwrite").selectOption("target");
    const run = form.getByRole("button", { name: "Restore over target" });
    await expect(run).toBeDisabled();
    await form.getByLabel("Type the environment name to confirm").fill("targe");
    await expect(run).toBeDisabled();
    await form.getByLabel("Type the environment name to confirm").fill("target");
    await run.click();
    const progress = page.getByRole("list", { name: "Progress" });
    await expect(progress).toContainText("safety backup of target", { timeout: 30_000 });
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
    const dbs = await (
      await request.post("/api/v1/environments/target/sql", { headers, data: { statement: "SHOW DATABASES" } })
    ).json();
    const names = (dbs.rows as string[][]).map((r) => r[0]);
    expect(names).toContain("kept");
    expect(names).not.toContain("doomed");
    // The safety backup is listed on target's page, with doomed inside.
    await page.goto("/environments/target/backups");
    await expect(page.getByTestId("backup-row")).toHaveCount(1);
    await expect(page.getByTestId("backup-row").first()).toContainText("succeeded");

    // A test restore schedule is part of the policy.
    await page.getByLabel("Test restore (cron)").fill("30 4 * * *");
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByText("Backup policy saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Test restore (cron)")).toHaveValue("30 4 * * *");
  });
});
