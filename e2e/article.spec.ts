import { expect, test } from "@playwright/test";
import { createEnvironmentInBrowser, deleteAll, signIn, typeAtEndOfEditor } from "./helpers";

// The article, step by step, with its names and buttons.
test.describe.serial("Database master-slave replication, as in the article", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("create masterbase and slavebase, configure master, add slave replication user, configure slave, Full start, CREATE DATABASE Jelastic", async ({
    page,
  }, testInfo) => {
    test.setTimeout(180_000);
    await signIn(page);
    await createEnvironmentInBrowser(page, "masterbase");
    await createEnvironmentInBrowser(page, "slavebase");

    // Configure master database: my.cnf → server-id = 1, log-bin = mysql-bin, binlog-format = mixed; save (restart).
    await page.goto("/environments/masterbase");
    await page.getByRole("link", { name: "Config" }).click();
    await expect(page.getByTestId("config-editor").locator(".cm-content")).toContainText("skip-name-resolve");
    await typeAtEndOfEditor(page, "\nserver-id = 1\nlog-bin = mysql-bin\nbinlog-format = mixed\n");
    await page.screenshot({ path: testInfo.outputPath("config-editor.png"), fullPage: true });
    await testInfo.attach("config-editor", {
      path: testInfo.outputPath("config-editor.png"),
      contentType: "image/png",
    });
    await page.getByRole("button", { name: "Save and restart" }).click();
    await expect(page.getByText("Saved and restarted")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("revision-row").first()).toContainText("applied");

    // Replication tab → Add slave replication user → Go.
    await page.getByRole("link", { name: "Replication", exact: true }).click();
    await expect(page.getByTestId("log-bin")).toHaveText("ON");
    await expect(page.getByTestId("master-server-id")).toHaveText("1");
    await page.getByRole("button", { name: "Add slave replication user" }).click();
    const userDialog = page.getByRole("dialog", { name: "Add slave replication user" });
    await userDialog.getByLabel("User name").fill("slave");
    await userDialog.getByLabel("Password").fill("s3cret'pass");
    await userDialog.getByRole("button", { name: "Go" }).click();
    await expect(page.getByTestId("replication-user")).toContainText("slave@%");

    // Configure slave database: server-id = 2 (the "Slave settings" snippet adds relay-log and read-only).
    await page.goto("/environments/slavebase/config");
    await expect(page.getByTestId("config-editor").locator(".cm-content")).toContainText("skip-name-resolve");
    await typeAtEndOfEditor(page, "\nserver-id = 2\n");
    await page.getByRole("button", { name: "Slave settings" }).click();
    await expect(page.getByTestId("config-editor").locator(".cm-content")).toContainText("read-only = ON");
    await page.getByRole("button", { name: "Save and restart" }).click();
    await expect(page.getByText("Saved and restarted")).toBeVisible({ timeout: 30_000 });

    // Replication → Configure master (pick masterbase, the user and password) → Control slave → Full start.
    await page.getByRole("link", { name: "Replication", exact: true }).click();
    await expect(page.getByTestId("slave-health")).toHaveAttribute("data-state", "not-configured");
    await page.getByRole("button", { name: "Configure master" }).click();
    const masterDialog = page.getByRole("dialog", { name: "Configure master" });
    await masterDialog.getByLabel("Master", { exact: true }).selectOption("masterbase");
    await masterDialog.getByLabel("Replication user").fill("slave");
    await masterDialog.getByLabel("Replication password").fill("s3cret'pass");
    await masterDialog.getByRole("button", { name: "Save" }).click();
    await expect(masterDialog).toBeHidden();
    await page.getByRole("button", { name: "Full start" }).click();

    // Check the slave status table.
    await expect(page.getByTestId("slave-health")).toHaveAttribute("data-state", "running", { timeout: 20_000 });
    const table = page.getByTestId("slave-status-table");
    await expect(table.locator('[data-column="Slave_IO_Running"] td')).toHaveText("Yes");
    await expect(table.locator('[data-column="Slave_SQL_Running"] td')).toHaveText("Yes");
    await expect(table.locator("tr[data-column]")).toHaveCount(54);
    await page.screenshot({ path: testInfo.outputPath("slave-status-table.png"), fullPage: true });
    await testInfo.attach("slave-status-table", {
      path: testInfo.outputPath("slave-status-table.png"),
      contentType: "image/png",
    });

    // Check the results: CREATE DATABASE Jelastic on the master, see it on the slave.
    await page.goto("/environments/masterbase/sql");
    await page.getByLabel("SQL statement").fill("CREATE DATABASE Jelastic");
    await page.getByRole("button", { name: "Run" }).click();
    await expect(page.getByText(/Query OK, 1 row\(s\) affected/)).toBeVisible();
    await page.goto("/environments/slavebase/sql");
    await expect(page.getByText("This server is a slave")).toBeVisible();
    await expect(page.getByTestId("database-list")).toContainText("Jelastic");

    // "Check replication" times a canary row on each slave.
    await page.goto("/environments/masterbase/replication");
    await page.getByRole("button", { name: "Check replication" }).click();
    await expect(page.getByTestId("check-results")).toContainText(
      /slavebase.*arrived after [\d.]+ ms.*new database visible/,
    );

    // Connection details: master for writes, slave for reads, with snippets.
    await page.getByRole("link", { name: "Connection" }).click();
    await expect(page.getByTestId("endpoint")).toHaveCount(2);
    await expect(page.getByText("jdbc:mariadb://", { exact: false }).first()).toBeVisible();
    await expect(page.getByText("new mysqli(", { exact: false })).toBeVisible();
  });

  test("failures are explained: wrong password (1045), master stopped (2003) then recovery", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page);
    await page.goto("/environments/slavebase/replication");
    await page.getByRole("button", { name: "Configure master" }).click();
    const dialog = page.getByRole("dialog", { name: "Configure master" });
    await dialog.getByLabel("Master", { exact: true }).selectOption("masterbase");
    await dialog.getByLabel("Replication user").fill("slave");
    await dialog.getByLabel("Replication password").fill("wrong-password");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByRole("button", { name: "Full start" }).click();
    const health = page.getByTestId("slave-health");
    await expect(health).toHaveAttribute("data-state", "error", { timeout: 20_000 });
    await expect(health).toContainText("1045 Access denied");
    await expect(health).toContainText("Anonymous users");

    await page.getByRole("button", { name: "Configure master" }).click();
    await dialog.getByLabel("Master", { exact: true }).selectOption("masterbase");
    await dialog.getByLabel("Replication user").fill("slave");
    await dialog.getByLabel("Replication password").fill("s3cret'pass");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByRole("button", { name: "Full start" }).click();
    await expect(health).toHaveAttribute("data-state", "running", { timeout: 20_000 });

    // Stop the master: the slave says it cannot reach it (2003), then recovers after Start.
    await page.goto("/environments/masterbase");
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await expect(page.getByTestId("status-badge")).toHaveText("stopped");
    await page.goto("/environments/slavebase/replication");
    await expect(health).toContainText("cannot reach the master", { timeout: 20_000 });
    await expect(health).toContainText("2003");
    await page.goto("/environments/masterbase");
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect(page.getByTestId("status-badge")).toHaveText("running");
    await page.goto("/environments/slavebase/replication");
    await expect(health).toHaveAttribute("data-state", "running", { timeout: 20_000 });
  });

  test("a broken my.cnf is rejected before restart and the server keeps running", async ({ page }) => {
    await signIn(page);
    await page.goto("/environments/slavebase");
    const uptimeBefore = await page.getByTestId("uptime").textContent();
    await page.getByRole("link", { name: "Config" }).click();
    const rows = page.getByTestId("revision-row");
    await expect(rows.first()).toBeVisible();
    const revisionsBefore = await rows.count();
    await typeAtEndOfEditor(page, "\nfoo-bar = 1\n");
    await page.getByRole("button", { name: "Save and restart" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "mariadbd refused" });
    await expect(alert).toContainText(/line \d+: \[ERROR\] \S*mariadbd: unknown variable 'foo-bar=1'/);
    await expect(rows).toHaveCount(revisionsBefore + 1);
    await expect(rows.first()).toContainText("rejected");
    await page.getByRole("link", { name: "Overview" }).click();
    await expect(page.getByTestId("status-badge")).toHaveText("running");
    expect(await page.getByTestId("uptime").textContent()).not.toBe("—");
    expect(uptimeBefore).not.toBe("—");
  });

  test("Encrypt replication: the switch turns TLS on (Master_SSL_Allowed Yes) and off again", async ({ page }) => {
    test.setTimeout(90_000);
    await signIn(page);
    await page.goto("/environments/slavebase/replication");
    const table = page.getByTestId("slave-status-table");
    await expect(page.getByTestId("slave-health")).toHaveAttribute("data-state", "running", { timeout: 20_000 });
    await page.getByRole("switch", { name: "Encrypt replication" }).click();
    await expect(table.locator('[data-column="Master_SSL_Allowed"] td')).toHaveText("Yes", { timeout: 30_000 });
    await expect(table.locator('[data-column="Master_SSL_Verify_Server_Cert"] td')).toHaveText("Yes");
    await expect(page.getByTestId("slave-health")).toHaveAttribute("data-state", "running");
    await page.getByRole("switch", { name: "Encrypt replication" }).click();
    await expect(table.locator('[data-column="Master_SSL_Allowed"] td')).toHaveText("No", { timeout: 30_000 });
  });
});
