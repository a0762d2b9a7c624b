import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { deleteAll, signIn } from "./helpers";

const engines = (process.env.MARINER_TEST_DOCKER_HOSTS ?? "")
  .split(",")
  .filter(Boolean)
  .map((s) => s.split("=") as [string, string]);

test.describe.serial("Docker hosts", () => {
  test.skip(engines.length === 0, "npm test starts two Docker engines; this run has none");
  test.afterAll(async ({ request }) => {
    await deleteAll(request);
    execFileSync("bash", ["scripts/remote-host.sh", "stop", "e"], { stdio: "inherit" });
  });

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

  test("an admin adds another machine: Issue certificates, start its engine with them, Add host, create on it", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const address = "10.231.0.5";
    await signIn(page);
    await page.getByRole("link", { name: "Hosts" }).click();
    await page.getByLabel("Name").fill("far");
    await page.getByLabel("Endpoint").fill(`tcp://${address}:2376`);
    await page.getByRole("button", { name: "Add host" }).click();
    await expect(page.getByText(/needs TLS client certificates/)).toBeVisible();

    await page.getByLabel("New machine's address").fill(address);
    await page.getByRole("button", { name: "Issue certificates" }).click();
    const setup = page.getByTestId("engine-setup");
    await expect(setup).toContainText(`dockerd --dns 127.0.0.1 -H tcp://${address}:2376 --tlsverify`);
    await expect(page.getByLabel("Endpoint")).toHaveValue(`tcp://${address}:2376`);
    // What the admin copies to the new machine, taken from the page.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-e2e-engine-"));
    for (const file of ["ca.pem", "server-cert.pem", "server-key.pem"]) {
      const block = setup.locator("details", { hasText: file }).locator("pre");
      fs.writeFileSync(path.join(dir, file), (await block.textContent()) ?? "", { mode: 0o600 });
    }
    execFileSync("bash", ["scripts/remote-host.sh", "stop", "e"], { stdio: "inherit" });
    execFileSync("bash", ["scripts/remote-host.sh", "start", "e", address, dir], { stdio: "inherit" });
    // A new machine has no images yet (the test bed preloads them: removed here through the bed's own socket).
    for (const image of ["mariner/mariadb:10.11", "mariner/haproxy:local"])
      execFileSync("docker", ["-H", "unix:///run/mariner-docker/e/docker.sock", "rmi", "-f", image], {
        stdio: "ignore",
      });

    await page.getByRole("button", { name: "Add host" }).click();
    const row = page.getByTestId("hosts-table").locator("tr", { hasText: "far" });
    await expect(row).toContainText(/TLS/);
    await expect(row).toContainText(address);
    await expect(row).toContainText(/image missing/);
    await row.getByRole("button", { name: "Copy images" }).click();
    await expect(row).toContainText("Copying images…");
    // Copied engine to engine: the row is rendered again with the image present.
    await expect(row).toContainText(/image present/, { timeout: 90_000 });

    await page.goto("/environments");
    await page.getByRole("button", { name: "New environment" }).click();
    const dialog = page.getByRole("dialog", { name: "New environment" });
    await dialog.getByLabel("Name").fill("onfar");
    await dialog.getByLabel("Runtime").selectOption({ label: "Docker — host far" });
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/environments\/onfar$/, { timeout: 60_000 });
    await expect(page.getByTestId("status-badge")).toHaveText("running");
    await expect(page.getByText(`${address}:3306`).first()).toBeVisible();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
