import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { deleteAll, signIn } from "./helpers";

// The Swarm test bed: three engines in their own network namespaces (scripts/remote-host.sh), formed into a Swarm
// by scripts/swarm.sh; the console knows only the manager's TLS endpoint.
const nodes = [
  { name: "f", address: "10.231.0.6" },
  { name: "g", address: "10.231.0.7" },
  { name: "h", address: "10.231.0.8" },
];
const bed = (...args: string[]) => execFileSync("bash", args, { stdio: "inherit" });

test.describe.serial("Docker Swarm", () => {
  test.skip(!process.env.MARINER_TEST_DOCKER_HOSTS, "npm test starts the Docker engines; this run has none");
  test.afterAll(async ({ request }) => {
    await deleteAll(request);
    for (const n of nodes) bed("scripts/remote-host.sh", "stop", n.name);
  });

  test("an admin registers a Swarm by its manager, sees its nodes, and creates an environment on it", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const manager = nodes[0].address;
    await signIn(page);
    await page.getByRole("link", { name: "Hosts" }).click();
    await page.getByLabel("New machine's address").fill(manager);
    await page.getByRole("button", { name: "Issue certificates" }).click();
    const setup = page.getByTestId("engine-setup");
    await expect(setup).toContainText(`-H tcp://${manager}:2376 --tlsverify`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-e2e-swarm-"));
    for (const file of ["ca.pem", "server-cert.pem", "server-key.pem"]) {
      const block = setup.locator("details", { hasText: file }).locator("pre");
      fs.writeFileSync(path.join(dir, file), (await block.textContent()) ?? "", { mode: 0o600 });
    }
    // The workers' API is never used by the console; they start with the same files so the bed has one CA.
    for (const n of nodes) {
      bed("scripts/remote-host.sh", "stop", n.name);
      bed("scripts/remote-host.sh", "start", n.name, n.address, dir);
    }
    bed("scripts/swarm.sh", "form", ...nodes.flatMap((n) => [n.name, n.address]));

    await page.getByLabel("Name").fill("prod");
    await page.getByLabel("Kind").selectOption({ label: "Docker Swarm (its manager)" });
    await expect(page.getByLabel("Advertised address (optional)")).toHaveCount(0);
    await page.getByRole("button", { name: "Add host" }).click();
    const table = page.getByTestId("swarm-nodes-prod");
    await expect(table.locator("tbody tr")).toHaveCount(3);
    for (const n of nodes) await expect(table.locator("tr", { hasText: n.address })).toContainText(/ready/);
    await expect(table.locator("tr", { hasText: manager })).toContainText("manager (leader)");
    await page.getByRole("button", { name: "Check images" }).click();
    await expect(table.locator("tr", { hasText: "present" })).toHaveCount(3, { timeout: 30_000 });

    await page.goto("/environments");
    await page.getByRole("button", { name: "New environment" }).click();
    const dialog = page.getByRole("dialog", { name: "New environment" });
    await dialog.getByLabel("Name").fill("onswarm");
    await dialog.getByLabel("Runtime").selectOption({ label: "Swarm — prod" });
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/environments\/onswarm$/, { timeout: 60_000 });
    await expect(page.getByTestId("status-badge")).toHaveText("running");
    await expect(page.getByText(/10\.231\.0\.[678]:3306/).first()).toBeVisible();

    // Healing: the topology keeps one slave; saved, audited, shown on the Topology tab.
    await page.goto("/environments/onswarm/topology");
    await page.getByLabel("Keep slaves").fill("1");
    await page.getByRole("button", { name: "Save healing" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Healing saved." })).toBeVisible();
    await expect(page.getByTestId("healing-log")).toContainText("Healing setting");
    await expect(page.getByText(/When a kept slave's Swarm node is lost/)).toBeVisible();

    await page.goto("/admin/hosts");
    await expect(page.getByText("1 environment(s)")).toBeVisible();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
