import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { expect, test } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

test.describe.serial("Databases tab: databases, application accounts, import, export, connect as", () => {
  test.afterAll(async ({ request }) => {
    const headers = await apiToken(request);
    const { endpoints } = await (await request.get("/api/v1/endpoints", { headers })).json();
    for (const e of endpoints as { name: string }[]) await request.delete(`/api/v1/endpoints/${e.name}`, { headers });
    await deleteAll(request);
  });

  test("Create database → Create account → Import → Export; the copied PHP snippet connects as that account through the writer endpoint", async ({
    page,
    request,
    context,
  }) => {
    test.setTimeout(180_000);
    const headers = await apiToken(request);
    expect((await request.post("/api/v1/environments", { headers, data: { name: "appdb" } })).status()).toBe(201);
    expect((await request.post("/api/v1/environments/appdb/replication/binlog", { headers })).status()).toBe(200);
    expect((await request.post("/api/v1/environments/appdb/slaves", { headers, data: { count: 1 } })).status()).toBe(
      201,
    );
    const endpoints = await request.post("/api/v1/environments/appdb/endpoints", { headers, data: {} });
    expect(endpoints.status()).toBe(201);
    const writer = ((await endpoints.json()) as { writer: string }).writer;

    await signIn(page);
    await page.goto("/environments/appdb");
    await page.getByRole("link", { name: "Databases" }).click();
    await expect(page).toHaveURL(/\/environments\/appdb\/databases$/);

    // Create database, with the statement shown before it runs.
    await page.getByLabel("Database name", { exact: true }).fill("shop");
    await page.getByLabel("Collation").selectOption("utf8mb4_unicode_ci");
    await expect(page.getByTestId("create-database-sql")).toHaveText(
      "CREATE DATABASE `shop` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    );
    await page.getByRole("button", { name: "Create database" }).click();
    await expect(page.getByRole("status")).toContainText("Created shop (utf8mb4_unicode_ci)");
    await expect(page.getByTestId("database-row").filter({ hasText: "shop" })).toContainText("utf8mb4_unicode_ci");

    // Import a .sql.gz into the (empty) shop: live steps end in "Loaded".
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-e2e-import-"));
    const dump = path.join(dir, "shop.sql.gz");
    const rows = Array.from({ length: 500 }, (_, i) => `(${i + 1}, 'item ${i + 1}')`).join(",");
    fs.writeFileSync(
      dump,
      zlib.gzipSync(
        `CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40));\nINSERT INTO orders VALUES ${rows};\n`,
      ),
    );
    await page.getByLabel("File").setInputFiles(dump);
    await expect(page.getByTestId("import-size")).toContainText("shop.sql.gz");
    await page.getByLabel(/An existing empty database/).check();
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect(page.getByLabel("Progress")).toContainText(/Loaded [\d.]+ MB, 2 statements/, { timeout: 30_000 });

    // A hostile file: refused with its line, nothing created.
    const hostile = path.join(dir, "hostile.sql");
    fs.writeFileSync(hostile, "CREATE TABLE t (id INT);\nGRANT ALL PRIVILEGES ON *.* TO 'root'@'%';\n");
    await page.getByLabel("File").setInputFiles(hostile);
    await page.getByLabel(/^A new database/).check();
    await page.getByLabel("New database name").fill("evil");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect(page.getByRole("alert").filter({ hasText: "nothing was loaded" })).toContainText(
      "line 2: touches the account root",
    );
    await expect(page.getByTestId("database-row").filter({ hasText: "evil" })).toHaveCount(0);

    // Create account: read-write on shop, the exact statements shown first, the generated password shown once.
    await page.getByLabel("User", { exact: true }).fill("shop_app");
    await page.getByLabel("Access to shop").selectOption({ label: "Read-write" });
    await expect(page.getByTestId("account-preview")).toContainText(
      "GRANT SELECT, SHOW VIEW, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE ON `shop`.* TO 'shop_app'@'%';",
    );
    await page.getByRole("button", { name: "Create account" }).click();
    const created = page.getByRole("status").filter({ hasText: "its generated password, shown once" });
    await expect(created).toBeVisible();
    const password = (await created.locator("pre").textContent())!.trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    await expect(page.getByTestId("account-row").filter({ hasText: "'shop_app'@'%'" })).toContainText("application");
    await expect(page.getByTestId("account-row").filter({ hasText: "'root'@" }).first()).toContainText("protected");

    // Export: a download of the slave's dump holding the imported table.
    const downloading = page.waitForEvent("download");
    await page.getByTestId("database-row").filter({ hasText: "shop" }).getByRole("link", { name: "Export" }).click();
    const file = await (await downloading).path();
    const sql = zlib.gunzipSync(fs.readFileSync(file)).toString();
    expect(sql).toContain("CREATE TABLE `orders`");
    expect(sql).toContain("(500,'item 500')");

    // Connection: the snippets now log in as shop_app through the endpoints; copy the PHP one and run it.
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("link", { name: "Connection" }).click();
    await expect(page.getByLabel("Application account")).toHaveValue("shop_app@%");
    const php = page.locator("section").filter({ has: page.getByRole("heading", { name: "PHP (mysqli)" }) });
    await php.getByRole("button", { name: "Copy" }).click();
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    expect(snippet).toContain(`new mysqli("${writer.split(":")[0]}", "shop_app", getenv("DB_PASSWORD"), "shop"`);
    const script = path.join(dir, "app.php");
    fs.writeFileSync(script, snippet);
    const out = execFileSync("php", [script], { env: { ...process.env, DB_PASSWORD: password }, timeout: 20_000 });
    const master = (await (await request.get("/api/v1/environments/appdb", { headers })).json()).serverId;
    expect(out.toString()).toContain(`writer: shop_app@% on server ${master}`);
    expect(out.toString()).toContain("orders");

    // Least privilege: the same account cannot reach beyond its database through the writer.
    fs.writeFileSync(
      script,
      `<?php\nmysqli_report(MYSQLI_REPORT_OFF);\n$c = new mysqli("${writer.split(":")[0]}", "shop_app", getenv("DB_PASSWORD"), "shop", ${writer.split(":")[1]});\nvar_dump($c->query("CREATE DATABASE evil"));\necho $c->error, "\\n";`,
    );
    const denied = execFileSync("php", [script], { env: { ...process.env, DB_PASSWORD: password } }).toString();
    expect(denied).toContain("bool(false)");
    expect(denied).toMatch(/Access denied for user 'shop_app'@'%' to database 'evil'/);

    // The slave's tab is a read-only view of the same account.
    await page.goto("/environments/appdb-slave-1/databases");
    await expect(page.getByTestId("read-only-view")).toBeVisible();
    await expect(page.getByTestId("account-row").filter({ hasText: "'shop_app'@'%'" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Create account" })).toHaveCount(0);

    // Change the access from the matrix: the REVOKE/GRANT pair is shown before Run.
    await page.goto("/environments/appdb/databases");
    await page.getByLabel("shop_app@% on shop").selectOption({ label: "Read-only" });
    const dialog = page.getByRole("dialog", { name: "Access of shop_app@% to shop" });
    await expect(dialog.getByTestId("grant-preview")).toHaveText(
      "REVOKE ALL PRIVILEGES ON `shop`.* FROM 'shop_app'@'%';\nGRANT SELECT, SHOW VIEW ON `shop`.* TO 'shop_app'@'%';",
    );
    await dialog.getByRole("button", { name: "Run" }).click();
    await expect(page.getByLabel("shop_app@% on shop")).toHaveValue("read-only");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
