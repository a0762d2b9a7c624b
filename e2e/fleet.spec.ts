import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { apiToken, deleteAll, signIn } from "./helpers";

// The fleet at a glance: 30 real servers in four clusters and standalone ones, two owners. The map fits every
// cluster, finds and centres a server, moves a slave by dragging it (and refuses a cycle), moves and detaches
// with the keyboard; the environment list groups clusters and shows owners by e-mail.

const DEV = { email: "fleet-dev@e2e.test", password: "fleet-dev-password-1" };
const CLUSTERS: [string, number][] = [
  ["alpha", 3],
  ["beta", 3],
  ["gamma", 2],
  ["delta", 2],
];
const STANDALONE = Array.from({ length: 14 }, (_, i) => `solo-${i + 1}`);

type Headers = Record<string, string>;

/** The live steps of the operation titled `title` end with "Finished." (an earlier one may still be shown). */
async function finished(page: Page, title: string) {
  const card = page.locator("section").filter({ has: page.getByRole("heading", { name: title, exact: true }) });
  await expect(card.getByText("Finished.")).toBeVisible({ timeout: 60_000 });
}

async function create(request: APIRequestContext, headers: Headers, name: string) {
  const res = await request.post("/api/v1/environments", { headers, data: { name } });
  expect(res.status(), `${name}: ${await res.text()}`).toBe(201);
}

async function edges(request: APIRequestContext, headers: Headers) {
  const topology = await (await request.get("/api/v1/topology", { headers })).json();
  return topology.edges as { from: string; to: string; ioRunning: boolean; health: { state: string } }[];
}

/** Search centres the server; the map is scrolled into the window so both ends of a drag are on screen. */
async function findAndCentre(page: Page, name: string) {
  await page.getByLabel("Search servers").fill(name);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByTestId("topology-graph").scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
}

async function centre(l: Locator) {
  const b = (await l.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** A person's drag: press on the card, move in steps (React Flow starts a drag after a few pixels), release. */
async function drag(page: Page, from: Locator, to: { x: number; y: number }) {
  const a = await centre(from);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 10, a.y + 10, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

test.describe.serial("fleet: the map and the grouped list at 30 servers", () => {
  test.afterAll(async ({ request }) => {
    await deleteAll(request);
  });

  test("fit, search, drag a slave under another, refuse a cycle, keyboard move and detach, grouped list", async ({
    page,
    request,
  }, testInfo) => {
    test.setTimeout(600_000);
    const admin = await apiToken(request);
    const added = await request.post("/api/v1/users", { headers: admin, data: { ...DEV, role: "user" } });
    expect([201, 409]).toContain(added.status());
    const devToken = await request.post("/api/v1/auth/token", { data: DEV });
    const dev = { authorization: `Bearer ${(await devToken.json()).token}` };

    for (const [master, slaves] of CLUSTERS) {
      await create(request, admin, master);
      expect(
        (await request.post(`/api/v1/environments/${master}/replication/binlog`, { headers: admin })).status(),
      ).toBe(200);
      const seeded = await request.post(`/api/v1/environments/${master}/slaves`, {
        headers: admin,
        data: { count: slaves },
      });
      expect(seeded.status(), await seeded.text()).toBeLessThan(300);
    }
    for (const name of STANDALONE) await create(request, admin, name);
    await create(request, dev, "dev-one");
    await create(request, dev, "dev-two");
    // Seeding runs in the background: wait until every slave replicates.
    await expect
      .poll(async () => (await edges(request, admin)).filter((e) => e.health.state === "running").length, {
        timeout: 240_000,
      })
      .toBe(10);
    const names = [
      ...CLUSTERS.flatMap(([m, n]) => [m, ...Array.from({ length: n }, (_, i) => `${m}-slave-${i + 1}`)]),
      ...STANDALONE,
      "dev-one",
      "dev-two",
    ];
    expect(names).toHaveLength(30);

    await signIn(page);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto("/topology");
    const graph = page.getByTestId("topology-graph");
    for (const n of names) await expect(graph.getByTestId(`topology-node-${n}`)).toBeAttached();
    await expect(graph.getByTestId("topology-node-alpha")).toHaveAttribute("data-role", "master");
    await expect(graph.getByTestId("topology-node-alpha-slave-1")).toContainText("lag");
    await expect(graph.getByTestId("topology-node-dev-one")).toContainText(DEV.email);

    // Fit: every server of every cluster inside the map's frame.
    await page.getByRole("button", { name: "Fit", exact: true }).click();
    await page.waitForTimeout(400);
    const frame = (await graph.boundingBox())!;
    for (const n of names) {
      const b = (await graph.getByTestId(`topology-node-${n}`).boundingBox())!;
      expect(b.x, n).toBeGreaterThanOrEqual(frame.x - 1);
      expect(b.y, n).toBeGreaterThanOrEqual(frame.y - 1);
      expect(b.x + b.width, n).toBeLessThanOrEqual(frame.x + frame.width + 1);
      expect(b.y + b.height, n).toBeLessThanOrEqual(frame.y + frame.height + 1);
    }
    await page.screenshot({ path: testInfo.outputPath("fleet-map.png"), fullPage: true });

    // Search finds a server and centres it.
    await page.getByLabel("Search servers").fill("gamma-slave-2");
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page.getByTestId("search-result")).toHaveText("1 match");
    await expect
      .poll(async () => {
        const c = await centre(graph.getByTestId("topology-node-gamma-slave-2"));
        return Math.hypot(c.x - (frame.x + frame.width / 2), c.y - (frame.y + frame.height / 2));
      })
      .toBeLessThan(60);

    // Drag alpha-slave-2 onto alpha-slave-1: a confirmation says what happens, then live steps.
    await findAndCentre(page, "alpha-slave-1");
    await drag(
      page,
      graph.getByTestId("topology-node-alpha-slave-2"),
      await centre(graph.getByTestId("topology-node-alpha-slave-1")),
    );
    const confirmMove = page.getByRole("dialog", { name: "Move alpha-slave-2 under alpha-slave-1?" });
    await expect(confirmMove).toContainText("stops replicating from alpha and replicates from alpha-slave-1");
    await confirmMove.getByRole("button", { name: "Yes, move it" }).click();
    await expect(page.getByRole("list", { name: "Progress" })).toContainText(
      "repointing alpha-slave-2 to alpha-slave-1",
    );
    await finished(page, "Moving alpha-slave-2 under alpha-slave-1");
    const chain = (await edges(request, admin)).find((e) => e.to === "alpha-slave-2");
    expect(chain).toMatchObject({ from: "alpha-slave-1", ioRunning: true });
    await expect(
      graph.locator('[data-testid="topology-edge"][data-from="alpha-slave-1"][data-to="alpha-slave-2"]'),
    ).toHaveCount(1);
    await expect(graph.getByTestId("topology-node-alpha-slave-1")).toHaveAttribute("data-role", "intermediate");

    // An illegal drop (alpha-slave-1 onto its own slave) is refused with the reason; nothing changes.
    await findAndCentre(page, "alpha-slave-2");
    await drag(
      page,
      graph.getByTestId("topology-node-alpha-slave-1"),
      await centre(graph.getByTestId("topology-node-alpha-slave-2")),
    );
    const refused = page.getByRole("alert").filter({ hasText: "Cannot move" });
    await expect(refused).toContainText(
      "Cannot move alpha-slave-1 under alpha-slave-2: alpha-slave-2 replicates (directly or not) from alpha-slave-1: that would make a cycle",
    );
    await expect(refused).toContainText("Nothing was changed");
    expect((await edges(request, admin)).find((e) => e.to === "alpha-slave-1")).toMatchObject({ from: "alpha" });

    // Keyboard: the node's menu moves beta-slave-3 under beta-slave-1, then detaches beta-slave-2.
    await page.getByRole("button", { name: "Actions for beta-slave-3" }).focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("dialog", { name: "Actions for beta-slave-3" });
    await menu.getByLabel("Move under").selectOption("beta-slave-1");
    await menu.getByRole("button", { name: "Move…" }).press("Enter");
    await page
      .getByRole("dialog", { name: "Move beta-slave-3 under beta-slave-1?" })
      .getByRole("button", { name: "Yes, move it" })
      .press("Enter");
    await finished(page, "Moving beta-slave-3 under beta-slave-1");
    expect((await edges(request, admin)).find((e) => e.to === "beta-slave-3")).toMatchObject({ from: "beta-slave-1" });

    await page.getByRole("button", { name: "Actions for beta-slave-2" }).focus();
    await page.keyboard.press("Enter");
    await page
      .getByRole("dialog", { name: "Actions for beta-slave-2" })
      .getByRole("button", { name: "Detach…" })
      .press("Enter");
    const confirmDetach = page.getByRole("dialog", { name: "Detach beta-slave-2?" });
    await expect(confirmDetach).toContainText("becomes a standalone, writable server");
    await confirmDetach.getByRole("button", { name: "Yes, detach it" }).click();
    await finished(page, "Detaching beta-slave-2");
    expect((await edges(request, admin)).some((e) => e.to === "beta-slave-2")).toBe(false);
    await expect(graph.getByTestId("topology-node-beta-slave-2")).toHaveAttribute("data-role", "standalone");
    const written = await request.post("/api/v1/environments/beta-slave-2/sql", {
      headers: admin,
      data: { statement: "CREATE DATABASE detached_ok" },
    });
    expect((await written.json()).kind).toBe("ok");

    // The list: clusters as groups (the chain indented under its parent), owners by e-mail, collapse and expand.
    await page.goto("/environments");
    const alpha = page.getByTestId("env-group-alpha");
    await expect(alpha.getByTestId(/^env-row-/)).toHaveCount(4);
    await expect(alpha.getByTestId("env-row-alpha-slave-1")).toHaveAttribute("data-role", "intermediate");
    await expect(alpha.getByTestId("env-row-alpha-slave-2")).toHaveAttribute("data-role", "slave");
    await expect(page.getByTestId("env-row-beta-slave-2")).toHaveAttribute("data-role", "standalone");
    await expect(page.getByTestId("env-row-dev-one").getByTestId("owner")).toHaveText(DEV.email);
    await expect(page.getByTestId("env-row-alpha").getByTestId("owner")).toHaveText("you");
    await page.screenshot({ path: testInfo.outputPath("environment-groups.png"), fullPage: true });
    await alpha.locator("summary").click();
    await expect(alpha.getByTestId("env-row-alpha-slave-1")).toBeHidden();
    await alpha.locator("summary").click();
    await expect(alpha.getByTestId("env-row-alpha-slave-1")).toBeVisible();

    // Search and filter keep whole groups; the header's summary links to the filtered views.
    await page.getByLabel("Search environments").fill("gamma-slave-1");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("env-group-gamma").getByTestId(/^env-row-/)).toHaveCount(3);
    await expect(page.getByTestId("env-row-alpha")).toHaveCount(0);
    await expect(page.getByTestId("fleet-summary")).toContainText("30 running");
    await page
      .getByTestId("fleet-summary")
      .getByRole("link", { name: /replication problem/ })
      .click();
    await expect(page).toHaveURL(/\/topology\?problems=1$/);
  });
});
