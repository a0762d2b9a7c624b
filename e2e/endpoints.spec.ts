import { expect, test } from "@playwright/test";
import mysql from "mysql2/promise";
import { apiToken, deleteAll, signIn } from "./helpers";

test.describe.serial("writer and reader endpoints on the Connection tab", () => {
  test.afterAll(async ({ request }) => {
    const headers = await apiToken(request);
    const { endpoints } = await (await request.get("/api/v1/endpoints", { headers })).json();
    for (const e of endpoints as { name: string }[]) await request.delete(`/api/v1/endpoints/${e.name}`, { headers });
    await deleteAll(request);
  });

  test("Create writer and reader endpoints; snippets use them; the writer follows a switchover", async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    const headers = await apiToken(request);
    expect((await request.post("/api/v1/environments", { headers, data: { name: "pm" } })).status()).toBe(201);
    expect((await request.post("/api/v1/environments/pm/replication/binlog", { headers })).status()).toBe(200);
    for (const statement of [
      "CREATE DATABASE shop",
      "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY)",
      "CREATE USER app_user@'%' IDENTIFIED BY 'app-pass-1'",
      "GRANT SELECT, INSERT ON shop.* TO app_user@'%'",
    ]) {
      expect(
        (await (await request.post("/api/v1/environments/pm/sql", { headers, data: { statement } })).json()).kind,
      ).toBe("ok");
    }
    expect((await request.post("/api/v1/environments/pm/slaves", { headers, data: { count: 1 } })).status()).toBe(201);
    const serverId = async (name: string) =>
      (await (await request.get(`/api/v1/environments/${name}`, { headers })).json()).serverId as number;

    await signIn(page);
    await page.goto("/environments/pm/connection");
    await page.getByRole("button", { name: "Create writer and reader endpoints" }).click();
    const list = page.getByTestId("proxy-endpoints");
    await expect(list).toContainText("→ pm");
    const text = (await list.textContent()) ?? "";
    const writer = /writer (127\.0\.0\.1:\d+)/.exec(text)![1];
    const reader = /reader (127\.0\.0\.1:\d+)/.exec(text)![1];
    await expect(page.getByTestId("snippets-use-endpoints")).toBeVisible();
    await expect(page.getByText(`jdbc:mariadb://${writer}/`).first()).toBeVisible();

    const via = async (address: string) => {
      const c = await mysql.createConnection({
        host: "127.0.0.1",
        port: Number(address.split(":")[1]),
        user: "app_user",
        password: "app-pass-1",
      });
      const [[r]] = (await c.query("SELECT @@server_id AS id")) as unknown as [{ id: number }[]];
      await c.end();
      return Number(r.id);
    };
    expect(await via(writer)).toBe(await serverId("pm"));
    expect(await via(reader)).toBe(await serverId("pm-slave-1"));

    // A planned switchover: the same writer address now reaches the new master.
    expect(
      (
        await request.post("/api/v1/environments/pm/switchover", { headers, data: { candidate: "pm-slave-1" } })
      ).status(),
    ).toBe(200);
    await expect.poll(() => via(writer), { timeout: 30_000 }).toBe(await serverId("pm-slave-1"));
    await page.goto("/environments/pm-slave-1/connection");
    await expect(page.getByTestId("proxy-endpoints")).toContainText(`writer ${writer} → pm-slave-1`);
  });
});
