import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

// A Galera cluster from the New environment dialog: three nodes Synced with live steps, its endpoints, a rolling
// my.cnf change refused at the first node with the server's own lines, a node removed and one added, and the
// cluster deleted.

test.afterAll(async ({ request }) => {
  await deleteAll(request);
});

test("create a Galera cluster from the dialog and see three Synced nodes; operate it", async ({ page, request }) => {
  test.setTimeout(300_000);
  await signIn(page);
  await page.getByRole("button", { name: "New environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await dialog.getByLabel("Topology").selectOption({ label: "Galera cluster — 3 nodes" });
  await expect(dialog.getByLabel("Runtime")).toBeDisabled();
  await dialog.getByLabel("Name").fill("gcluster");
  await dialog.getByRole("button", { name: "Create" }).click();
  // Live steps: the first node bootstraps, the others join by a state transfer one by one.
  await expect(dialog.locator('[data-step="bootstrapping gcluster-1 (a new cluster)"]')).toBeVisible({
    timeout: 60_000,
  });
  await expect(dialog.locator('[data-step^="joining gcluster-2"]')).toBeVisible({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/galera\/gcluster$/, { timeout: 120_000 });

  const nodes = page.getByTestId("galera-node");
  await expect(nodes).toHaveCount(3);
  await expect(page.getByTestId("node-state")).toHaveText(["Synced", "Synced", "Synced"]);
  await expect(page.getByTestId("cluster-health")).toContainText("Healthy: 3 of 3 nodes Synced");
  await expect(nodes.first()).toContainText("gcluster-1");

  await page.getByRole("button", { name: "Create endpoints" }).click();
  await expect(page.getByTestId("galera-endpoints")).toContainText("→ gcluster-1");
  const headers = await apiToken(request);
  const ep = await (await request.get("/api/v1/galera/gcluster/endpoints", { headers })).json();
  expect(ep.writer).toMatch(/^127\.0\.0\.1:\d+$/);

  // A value mariadbd accepts on paper but cannot start with: stopped at the first node, which is put back.
  await page.getByLabel("my.cnf settings for every node").fill("innodb_data_home_dir = nonexistent-mariner");
  await page.getByRole("button", { name: "Apply to every node" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Stopped at gcluster-1" })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId("node-state")).toHaveText(["Synced", "Synced", "Synced"], { timeout: 60_000 });
  const revisions = await (await request.get("/api/v1/environments/gcluster-2/config/revisions", { headers })).json();
  expect(revisions.revisions).toHaveLength(1); // gcluster-2 was never touched

  // A member is not deleted on its own page: the cluster's Remove node does it.
  await nodes.first().getByRole("link", { name: "gcluster-1" }).click();
  await expect(page.getByRole("link", { name: "Node of Galera cluster gcluster" })).toBeVisible();
  await page.getByRole("link", { name: "Node of Galera cluster gcluster" }).click();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Remove node gcluster-3" }).click();
  await expect(nodes).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId("node-state")).toHaveText(["Synced", "Synced"]);

  // Add node: a new member joins by a state transfer, with live steps, and the cluster is whole again.
  await page.getByRole("button", { name: "Add node" }).click();
  await expect(page.locator('[data-step^="joining gcluster-3"]')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("Finished.")).toBeVisible({ timeout: 120_000 });
  await expect(nodes).toHaveCount(3);
  await expect(page.getByTestId("node-state")).toHaveText(["Synced", "Synced", "Synced"], { timeout: 30_000 });
  await expect(nodes.last()).toContainText("gcluster-3");

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete cluster" }).click();
  await expect(page).toHaveURL(/\/environments$/, { timeout: 60_000 });
  const { clusters } = await (await request.get("/api/v1/galera", { headers })).json();
  expect(clusters).toEqual([]);
});
