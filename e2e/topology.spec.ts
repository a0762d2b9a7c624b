import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

test.describe.serial("topology: Add slave with progress, the graph, failover confirmation, doctor", () => {
  test.afterAll(async ({ request }) => deleteAll(request));

  test("Add slave from the master, see the graph, fail over after the master stops, fix a doctor finding", async ({
    page,
    request,
  }, testInfo) => {
    test.setTimeout(180_000);
    const headers = await apiToken(request);
    expect((await request.post("/api/v1/environments", { headers, data: { name: "hub" } })).status()).toBe(201);
    expect((await request.post("/api/v1/environments/hub/replication/binlog", { headers })).status()).toBe(200);
    for (const statement of [
      "CREATE DATABASE shop",
      "CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20))",
      "INSERT INTO shop.items VALUES (1, 'one'), (2, 'two')",
    ]) {
      expect(
        (await (await request.post("/api/v1/environments/hub/sql", { headers, data: { statement } })).json()).kind,
      ).toBe("ok");
    }

    await signIn(page);
    await page.goto("/environments/hub/topology");
    await page.getByLabel("Slaves").fill("2");
    await page.getByRole("button", { name: "Add slave" }).click();
    const progress = page.getByRole("list", { name: "Progress" });
    await expect(progress).toContainText("physical copy (mariadb-backup) of hub", { timeout: 60_000 });
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });

    // The seeded slaves hold the master's rows.
    const rows = await (
      await request.post("/api/v1/environments/hub-slave-2/sql", {
        headers,
        data: { statement: "SELECT name FROM shop.items ORDER BY id" },
      })
    ).json();
    expect(rows.rows).toEqual([["one"], ["two"]]);

    // Clone, choosing the logical copy: the portable path stays one click away.
    await page.goto("/environments/hub/topology");
    await page.getByLabel("New environment").fill("hub-copy");
    await page.getByLabel("Copy").last().selectOption({ label: "Logical (mariadb-dump)" });
    await page.getByRole("button", { name: "Clone", exact: true }).click();
    await expect(progress).toContainText("logical copy (mariadb-dump), as asked", { timeout: 60_000 });
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
    const copied = await (
      await request.post("/api/v1/environments/hub-copy/sql", {
        headers,
        data: { statement: "SELECT name FROM shop.items ORDER BY id" },
      })
    ).json();
    expect(copied.rows).toEqual([["one"], ["two"]]);
    expect((await request.delete("/api/v1/environments/hub-copy", { headers })).status()).toBe(204);

    // The graph: hub on top, two slaves below, edges replicating.
    await page.goto("/topology");
    const graph = page.getByTestId("topology-graph");
    for (const n of ["hub", "hub-slave-1", "hub-slave-2"])
      await expect(graph.getByTestId(`topology-node-${n}`)).toBeVisible();
    await expect(graph.locator("text", { hasText: "lag" })).toHaveCount(2);
    await expect(graph.getByTestId("topology-node-hub")).toContainText("master");
    await page.screenshot({ path: testInfo.outputPath("topology.png"), fullPage: true });
    await graph.getByTestId("topology-node-hub-slave-1").click();
    await expect(page).toHaveURL(/\/environments\/hub-slave-1\/topology$/);
    await expect(page.getByRole("heading", { name: "Slave of hub" })).toBeVisible();

    // The master goes away; the pre-flight shows the candidates; failover only after confirmation.
    expect(
      (await request.post("/api/v1/environments/hub/actions", { headers, data: { action: "stop" } })).status(),
    ).toBe(200);
    await page.goto("/environments/hub/topology");
    const report = page.getByTestId("preflight");
    await expect(report).toContainText("not reachable", { timeout: 20_000 });
    await expect(report.locator("[data-candidate]")).toHaveCount(2);
    await page.getByRole("button", { name: "Failover…" }).click();
    const dialog = page.getByRole("dialog", { name: /Fail over to hub-slave-/ });
    await expect(dialog).toContainText("kept stopped");
    await dialog.getByRole("button", { name: "Yes, do it" }).click();
    await expect(page.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
    await page.screenshot({ path: testInfo.outputPath("failover.png"), fullPage: true });
    const topology = await (await request.get("/api/v1/topology", { headers })).json();
    const edges = topology.edges.map((e: { from: string; to: string }) => `${e.from}->${e.to}`);
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatch(/^hub-slave-\d->hub-slave-\d$/);

    // Doctor: an anonymous user on the new master is found and fixed in one click.
    const newMaster = edges[0].split("->")[0];
    await request.post(`/api/v1/environments/${newMaster}/sql`, {
      headers,
      data: { statement: "CREATE USER ''@'localhost'" },
    });
    await page.goto("/topology");
    const finding = page.locator(`[data-finding="anonymous-users:${newMaster}"]`);
    await expect(finding).toBeVisible();
    await finding.getByRole("button", { name: "Drop the anonymous users" }).click();
    await expect(finding).toHaveCount(0, { timeout: 15_000 });
  });
});
