import { expect, test } from "@playwright/test";
import { apiToken, createEnvironmentInBrowser, deleteAll, signIn, typeAtEndOfEditor } from "./helpers";

// Two people edit the same my.cnf: the second save is refused with who changed it, their change is shown, and
// "Apply my change on top" keeps both. The API answers a stale baseRevision with 409 and both texts.
test.describe.serial("my.cnf edited by two people at once", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("the second save is a conflict, not a silent overwrite; apply my change on top keeps both", async ({
    browser,
    page,
  }) => {
    test.setTimeout(180_000);
    await signIn(page);
    await createEnvironmentInBrowser(page, "shared");
    const editor = (p: typeof page) => p.getByTestId("config-editor").locator(".cm-content");

    // Alice and Bob open the Config tab of the same environment.
    await page.goto("/environments/shared/config");
    await expect(editor(page)).toContainText("skip-name-resolve");
    const bobContext = await browser.newContext();
    const bob = await bobContext.newPage();
    await signIn(bob);
    await bob.goto("/environments/shared/config");
    await expect(editor(bob)).toContainText("skip-name-resolve");

    // Bob saves first.
    await typeAtEndOfEditor(bob, "\nmax_connections = 77\n");
    await bob.getByRole("button", { name: "Save and restart" }).click();
    await expect(bob.getByText("Saved and restarted")).toBeVisible({ timeout: 30_000 });

    // Alice saves her change built on the text she opened: refused, with Bob's change shown.
    await typeAtEndOfEditor(page, "\ntmp_table_size = 8M\n");
    await page.getByRole("button", { name: "Save and restart" }).click();
    const conflict = page.getByRole("alert", { name: "my.cnf changed meanwhile" });
    await expect(conflict).toContainText(/my\.cnf was changed by admin@e2e\.test at .* since you opened it/);
    await expect(conflict.getByLabel("Their change")).toContainText("+ max_connections = 77");
    await expect(page.getByTestId("revision-row").first()).toContainText("stale");

    await conflict.getByRole("button", { name: "Apply my change on top" }).click();
    await expect(page.getByText("Saved and restarted")).toBeVisible({ timeout: 30_000 });
    await expect(editor(page)).toContainText("max_connections = 77");
    await expect(editor(page)).toContainText("tmp_table_size = 8M");

    // Bob, still on his old revision, is now the stale one; he takes the merged version instead.
    await typeAtEndOfEditor(bob, "\nwait_timeout = 100\n");
    await bob.getByRole("button", { name: "Save and restart" }).click();
    const bobConflict = bob.getByRole("alert", { name: "my.cnf changed meanwhile" });
    await expect(bobConflict).toContainText("since you opened it");
    await bobConflict.getByRole("button", { name: "Load their version" }).click();
    await expect(editor(bob)).toContainText("tmp_table_size = 8M");
    await expect(editor(bob)).not.toContainText("wait_timeout = 100");
    await bobContext.close();
  });

  test("backup policy saved by two people: the second is told who changed it and sees their policy", async ({
    browser,
    page,
  }) => {
    await signIn(page);
    await page.goto("/environments/shared/backups");
    const bobContext = await browser.newContext();
    const bob = await bobContext.newPage();
    await signIn(bob);
    await bob.goto("/environments/shared/backups");

    await bob.getByLabel("Schedule (cron)").fill("0 3 * * *");
    await bob.getByRole("button", { name: "Save policy" }).click();
    await expect(bob.getByText("Backup policy saved.")).toBeVisible();

    await page.getByLabel("Schedule (cron)").fill("15 1 * * *");
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(
      page.getByText(
        /The backup policy was changed by admin@e2e\.test at .* since you opened it; nothing was applied\. The form now shows the saved policy\./,
      ),
    ).toBeVisible();
    await expect(page.getByLabel("Schedule (cron)")).toHaveValue("0 3 * * *");
    // Saved again from what is now shown, it applies.
    await page.getByLabel("Schedule (cron)").fill("15 1 * * *");
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByText("Backup policy saved.")).toBeVisible();
    // The schedule reads as what it will do: its next run times (console clock, UTC here).
    await expect(page.getByTestId("next-runs")).toContainText(
      /Next backups: \d{4}-\d\d-\d\d 01:15 UTC, \d{4}-\d\d-\d\d 01:15 UTC/,
    );
    await bobContext.close();
  });

  test("API: PUT config with a stale baseRevision is 409 with both texts and changes nothing", async ({ request }) => {
    const headers = await apiToken(request);
    const opened = await (await request.get("/api/v1/environments/shared/config", { headers })).json();
    expect(opened.revision).toEqual(expect.any(String));
    const first = await request.put("/api/v1/environments/shared/config", {
      headers,
      data: { content: opened.content + "\nsort_buffer_size = 1M\n", baseRevision: opened.revision },
    });
    expect(first.status()).toBe(200);
    const applied = await first.json();
    const stale = await request.put("/api/v1/environments/shared/config", {
      headers,
      data: { content: opened.content + "\njoin_buffer_size = 1M\n", baseRevision: opened.revision },
    });
    expect(stale.status()).toBe(409);
    const body = await stale.json();
    expect(body.error.code).toBe("stale_revision");
    expect(body.error.currentRevision).toBe(applied.revisionId);
    expect(body.error.baseContent).toBe(opened.content);
    expect(body.error.currentContent).toContain("sort_buffer_size = 1M");
    const now = await (await request.get("/api/v1/environments/shared/config", { headers })).json();
    expect(now.revision).toBe(applied.revisionId);
    expect(now.content).not.toContain("join_buffer_size");
  });
});
