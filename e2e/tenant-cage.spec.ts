import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, typeAtEndOfEditor } from "./helpers";

// An ordinary user, root on their own server and nothing more, tries the cage from the pages. (Named to run after
// security.spec.ts, which expects to see only its own users.)
const MALLORY = { email: "mallory@e2e.test", password: "mallory-password-123" };

test.describe.serial("the tenant's cage, from the pages", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("SQL tab names the files directory; reading the host's files is refused; a hostile my.cnf is refused with its line", async ({
    page,
    request,
  }) => {
    const admin = await apiToken(request);
    expect((await request.post("/api/v1/users", { headers: admin, data: MALLORY })).status()).toBe(201);
    await page.goto("/signin");
    await page.getByLabel("E-mail").fill(MALLORY.email);
    await page.getByLabel("Password").fill(MALLORY.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
    await page.getByRole("button", { name: "New environment" }).click();
    const dialog = page.getByRole("dialog", { name: "New environment" });
    await dialog.getByLabel("Name").fill("cage");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/environments\/cage$/, { timeout: 60_000 });
    await expect(page.getByTestId("status-badge")).toHaveText("running");

    await page.getByRole("link", { name: "SQL" }).click();
    await expect(page.getByText("Files for LOAD DATA / INTO OUTFILE go here:")).toContainText(/\/files\//);
    const statement = page.getByLabel("SQL statement");
    await statement.fill("LOAD DATA INFILE '/etc/shadow' INTO TABLE mysql.db");
    await page.getByRole("button", { name: "Run" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "ERROR 1290" });
    await expect(refusal).toContainText("--secure-file-priv");
    await statement.fill("SELECT LOAD_FILE('/etc/passwd') AS stolen");
    await page.getByRole("button", { name: "Run" }).click();
    await expect(page.getByTestId("result-grid").locator("td")).toHaveText("NULL");

    await page.getByRole("link", { name: "Config" }).click();
    const rows = page.getByTestId("revision-row");
    await expect(rows.first()).toBeVisible();
    const revisionsBefore = await rows.count();
    await typeAtEndOfEditor(page, "\n[client-server]\nskip-grant-tables\n");
    await page.getByRole("button", { name: "Save and restart" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "my.cnf was not applied" });
    await expect(alert).toContainText(/line \d+: skip-grant-tables would let anyone log in without a password/);
    await expect(rows).toHaveCount(revisionsBefore + 1);
    await expect(rows.first()).toContainText("rejected");

    const mine = {
      authorization: `Bearer ${(await (await request.post("/api/v1/auth/token", { data: MALLORY })).json()).token}`,
    };
    const { content } = await (await request.get("/api/v1/environments/cage/config", { headers: mine })).json();
    expect(content).not.toContain("skip-grant-tables");
    const plugin = await request.put("/api/v1/environments/cage/config", {
      headers: mine,
      data: { content: `${content}\n[galera]\nplugin-load-add = /tmp/evil.so\n` },
    });
    expect(plugin.status()).toBe(422);
    expect((await plugin.json()).error.problems[0].message).toContain(
      "must be a plain file name of a plugin shipped with the server",
    );
  });
});
