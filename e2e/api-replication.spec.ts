import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { apiToken, deleteAll } from "./helpers";

test.afterAll(async ({ request }) => deleteAll(request));

/** The article through the REST API only; also the acceptance check with a real PHP mysqli client. */
test("API walk-through: two environments → replicating → database on slave; PHP mysqli writes to master, reads from slave", async ({
  request,
}) => {
  test.setTimeout(120_000);
  const headers = await apiToken(request);
  const api = (method: string, path: string, data?: unknown) =>
    request.fetch(`/api/v1${path}`, { method, headers, data });
  const t0 = Date.now();

  const created = await Promise.all(["apimaster", "apislave"].map((name) => api("POST", "/environments", { name })));
  for (const r of created) expect(r.status()).toBe(201);

  const cnf = async (name: string, extra: string) => {
    const { content } = await (await api("GET", `/environments/${name}/config`)).json();
    return api("PUT", `/environments/${name}/config`, { content: `${content}\n${extra}\n` });
  };
  const bad = await cnf("apimaster", "foo-bar = 1");
  expect(bad.status()).toBe(422);
  const badBody = await bad.json();
  expect(badBody.error.problems[0].message).toContain("unknown variable 'foo-bar=1'");
  expect(badBody.error.problems[0].line).toBeGreaterThan(20);

  expect((await cnf("apimaster", "log-bin = mysql-bin\nbinlog-format = mixed")).status()).toBe(200);
  expect(
    (await api("POST", "/environments/apimaster/replication/users", { user: "repl", password: "r3pl;pass`" })).status(),
  ).toBe(201);
  expect(
    (
      await api("POST", "/environments/apimaster/replication/users", { user: "x", password: "y", host: "%' OR 1=1" })
    ).status(),
  ).toBe(400);
  expect(
    (
      await api("PUT", "/environments/apislave/replication/master", {
        masterEnvironment: "apimaster",
        user: "repl",
        password: "r3pl;pass`",
        mode: "gtid",
      })
    ).status(),
  ).toBe(200);
  expect((await api("POST", "/environments/apislave/replication/control", { action: "full-start" })).status()).toBe(
    200,
  );
  expect((await api("POST", "/environments/apislave/replication/control", { action: "rm -rf" })).status()).toBe(400);

  const replicationStatus = async () => (await api("GET", "/environments/apislave/replication/status")).json();
  await expect.poll(async () => (await replicationStatus()).health.state, { timeout: 30_000 }).toBe("running");
  const status = await replicationStatus();
  expect(Object.keys(status.slave).length).toBeGreaterThanOrEqual(54);

  const sql = await (await api("POST", "/environments/apimaster/sql", { statement: "CREATE DATABASE x" })).json();
  expect(sql.kind).toBe("ok");
  await expect
    .poll(async () => (await (await api("GET", "/environments/apislave/databases")).json()).databases.includes("x"), {
      timeout: 30_000,
    })
    .toBe(true);
  const walkthroughMs = Date.now() - t0;

  const check = await (await api("POST", "/environments/apimaster/replication/check")).json();
  expect(check.slaves).toHaveLength(1);
  expect(check.slaves[0].arrived).toBe(true);
  console.log(`API walk-through: ${walkthroughMs} ms; canary ${check.slaves[0].ms} ms`);
  expect(
    (await (await api("GET", "/environments/apimaster/config/revisions")).json()).revisions.map(
      (r: { result: string }) => r.result,
    ),
  ).toEqual(["applied", "rejected", "applied"]);

  // An ordinary third-party client: PHP mysqli writes to the master's connection details and reads the slave's.
  const [m, s] = await Promise.all(
    ["apimaster", "apislave"].map(async (n) => (await api("GET", `/environments/${n}/connection`)).json()),
  );
  const php = `
    $m = new mysqli(getenv("MH"), getenv("MU"), getenv("MP"), "", (int) getenv("MPORT"));
    $m->query("CREATE TABLE x.t (id INT PRIMARY KEY, v VARCHAR(20))");
    $m->query("INSERT INTO x.t VALUES (1, 'from-php')");
    $s = new mysqli(getenv("SH"), getenv("SU"), getenv("SP"), "", (int) getenv("SPORT"));
    for ($i = 0; $i < 3000; $i++) { // up to ~30 s: a bound against hanging, not a latency claim
      $r = @$s->query("SELECT v FROM x.t WHERE id = 1");
      if ($r && ($row = $r->fetch_row())) { echo $row[0]; exit(0); }
      usleep(10000);
    }
    exit(1);`;
  const out = execFileSync("php", ["-r", php], {
    env: {
      ...process.env,
      MH: m.host,
      MU: m.user,
      MP: m.password,
      MPORT: String(m.port),
      SH: s.host,
      SU: s.user,
      SP: s.password,
      SPORT: String(s.port),
    },
  }).toString();
  expect(out).toBe("from-php");
});
