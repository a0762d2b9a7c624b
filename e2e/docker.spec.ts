import { expect, test } from "@playwright/test";
import { deleteAll, signIn } from "./helpers";

const engines = (process.env.MARINER_TEST_DOCKER_HOSTS ?? "")
  .split(",")
  .filter(Boolean)
  .map((s) => s.split("=") as [string, string]);

test.describe.serial("Docker hosts", () => {
  test.skip(engines.length === 0, "npm test starts two Docker engines; this run has none");
  test.afterAll(async ({ request }) => deleteAll(request));

  test("an admin registers a Docker host, sees its health, and creates an environment on it", async ({ page }) => {
    test.setTimeout(120_000);
    const [name, endpoint] = engines[0];
    await signIn(page);
    await page.getByRole("link", { name: "Hosts" }).click();
    await page.getByLabel("Name").fill(`e2e${name}`);
    await page.getByLabel("Endpoint").fill("unix:///nonexistent/docker.sock");
    await page.getByRole("button", { name: "Add host" }).click();
    await expect(page.getByText(/did not answer/)).toBeVisible();
    await page.getByLabel("Endpoint").fill(endpoint);
    await page.getByRole("button", { name: "Add host" }).click();
    await expect(page.getByTestId("hosts-table")).toContainText(/Docker \S+ · \d+ MB · image present/);

    await page.goto("/environments");
    await page.getByRole("button", { name: "New environment" }).click();
    const dialog = page.getByRole("dialog", { name: "New environment" });
    await dialog.getByLabel("Name").fill("oncontainer");
    await dialog.getByLabel("Runtime").selectOption({ label: `Docker — host e2e${name}` });
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/environments\/oncontainer$/, { timeout: 60_000 });
    await expect(page.getByTestId("status-badge")).toHaveText("running");
    await expect(page.getByText(`docker:e2e${name}`).first()).toBeVisible();
    await expect(page.getByText(/container [0-9a-f]{12} on e2e/)).toBeVisible();
  });
});
