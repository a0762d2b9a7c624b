import { expect, test, type Page } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

async function addSource(page: Page, connection: string, master: string) {
  await page.getByRole("button", { name: "Add source" }).click();
  const dialog = page.getByRole("dialog", { name: "Add source" });
  await dialog.getByLabel("Connection name").fill(connection);
  await dialog.getByLabel("Master", { exact: true }).selectOption(master);
  await dialog.getByLabel("Replication user").fill("repl");
  await dialog.getByLabel("Replication password").fill("repl-pass");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  const section = page.getByRole("region", { name: `Connection ${connection}` });
  await section
    .getByRole("group", { name: `Control slave '${connection}'` })
    .getByRole("button", { name: "Full start" })
    .click();
  await expect(section.getByTestId("connection-health")).toHaveAttribute("data-state", "running", { timeout: 15_000 });
  return section;
}

test.describe.serial("multi-source: one slave, two masters through named connections", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("Add source twice, Full start each, writes from both masters arrive, two edges in the topology", async ({
    page,
    request,
  }, testInfo) => {
    test.setTimeout(120_000);
    const headers = await apiToken(request);
    for (const name of ["east", "west", "agg"])
      expect((await request.post("/api/v1/environments", { headers, data: { name } })).status()).toBe(201);
    for (const name of ["east", "west"]) {
      expect((await request.post(`/api/v1/environments/${name}/replication/binlog`, { headers })).status()).toBe(200);
      expect(
        (
          await request.post(`/api/v1/environments/${name}/replication/users`, {
            headers,
            data: { user: "repl", password: "repl-pass" },
          })
        ).status(),
      ).toBeLessThan(300);
    }

    await signIn(page);
    await page.goto("/environments/agg/replication");
    const east = await addSource(page, "east", "east");
    // west also writes GTID domain 0: the dialog's default gives it its own domain, so both positions are kept.
    const west = await addSource(page, "west", "west");
    await expect(east.getByTestId("connection-health")).toHaveAttribute("data-state", "running");

    const sql = async (env: string, statement: string) =>
      (await request.post(`/api/v1/environments/${env}/sql`, { headers, data: { statement } })).json();
    for (const s of [
      "CREATE DATABASE sales",
      "CREATE TABLE sales.orders (id INT PRIMARY KEY)",
      "INSERT INTO sales.orders VALUES (1), (2)",
    ])
      expect((await sql("east", s)).kind).toBe("ok");
    for (const s of [
      "CREATE DATABASE stock",
      "CREATE TABLE stock.items (id INT PRIMARY KEY)",
      "INSERT INTO stock.items VALUES (7)",
    ])
      expect((await sql("west", s)).kind).toBe("ok");
    await expect
      .poll(async () => Number((await sql("agg", "SELECT COUNT(*) FROM sales.orders")).rows?.[0]?.[0]), {
        timeout: 10_000,
      })
      .toBe(2);
    await expect
      .poll(async () => Number((await sql("agg", "SELECT id FROM stock.items")).rows?.[0]?.[0]), { timeout: 10_000 })
      .toBe(7);

    // Each connection has its own buttons: stopping west's SQL thread leaves east running.
    await west
      .getByRole("group", { name: "Control slave 'west'" })
      .getByRole("button", { name: "Stop SQL thread" })
      .click();
    await expect(west.getByTestId("connection-health")).toHaveAttribute("data-state", "stopped");
    await expect(east.getByTestId("connection-health")).toHaveAttribute("data-state", "running");
    await west.getByText("Slave status table").click();
    await expect(west.locator('tr[data-column="Slave_SQL_Running"] td')).toHaveText("No");
    await page.screenshot({ path: testInfo.outputPath("multi-source.png"), fullPage: true });
    await west
      .getByRole("group", { name: "Control slave 'west'" })
      .getByRole("button", { name: "Start SQL thread" })
      .click();
    await expect(west.getByTestId("connection-health")).toHaveAttribute("data-state", "running");

    await page.goto("/topology");
    const graph = page.getByTestId("topology-graph");
    await expect(graph.locator('[data-testid="topology-edge"][data-to="agg"]')).toHaveCount(2);
    await expect(graph.getByTestId("topology-node-agg")).toContainText("multi-source");
    await expect(graph.locator("text", { hasText: "'west'" })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("multi-source-topology.png"), fullPage: true });
    // Clicking the node opens its Topology tab, which lists both named connections.
    await graph.getByTestId("topology-node-agg").click();
    await expect(page.getByTestId("named-sources")).toContainText("Connection 'east' from east — running");
    await expect(page.getByTestId("named-sources")).toContainText("Connection 'west' from west — running");
  });
});
