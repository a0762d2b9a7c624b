import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiToken, deleteAll } from "../helpers";

/**
 * Two ordinary tenants: A owns real objects of every kind a route names (environment, backup, alert rule,
 * operation, endpoint, token, config revision, replication user, doctor finding, Galera cluster), B owns one environment of
 * its own. An admin adds a Docker host when this run has an engine. B's attempts are then made on A's real ids.
 */

export const TENANT_A = { email: "sweep-a@e2e.test", password: "sweep-a-password-1" };
export const TENANT_B = { email: "sweep-b@e2e.test", password: "sweep-b-password-1" };
export const ENV_A = "sweep-a-env";
export const ENV_B = "sweep-b-env";
export const DB_A = "sweep_a_db";
export const REPL_USER_A = "sweeparepl";
export const APP_USER_A = "sweepaapp";
export const CLUSTER_A = "sweep-a-gal";
const HOST = "sweephost";

type Headers = Record<string, string>;
type Row = Record<string, string | number | null>;
type User = {
  email: string;
  role: string;
  quota: { environments: { limit: number | null }; memoryMb: { limit: number | null } };
};

export interface Tenant {
  email: string;
  password: string;
  token: Headers;
  /** `Cookie` header of a real next-auth session (signed in through next-auth's credentials callback). */
  cookie: string;
  userId: string;
  env: string;
}

export interface Fixture {
  admin: Headers;
  a: Tenant & {
    envId: string;
    address: string;
    backupId: string;
    ruleId: string;
    operationId: string;
    endpoint: string;
    endpointAddresses: string[];
    /** A's Galera cluster (3 nodes) with its endpoints. */
    cluster: string;
    clusterAddresses: string[];
    tokenId: string;
    revisionId: string;
    findingId: string;
  };
  b: Tenant;
  /** A registered Docker host, or null with the reason in `hostNote` (then hosts/[name] uses a name that does not exist). */
  host: string | null;
  hostNote: string;
}

/** A real session: next-auth's csrf round trip, then its credentials callback (what the sign-in form does). */
export async function sessionCookie(baseURL: string, who: { email: string; password: string }): Promise<string> {
  const csrf = await fetch(new URL("/api/auth/csrf", baseURL));
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(new URL("/api/auth/callback/credentials", baseURL), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ ...who, csrfToken, json: "true" }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  expect(session, `session cookie for ${who.email}`).toBeTruthy();
  return session!.split(";")[0];
}

/** One API call that must succeed (2xx); its JSON. */
async function ok<T = Record<string, unknown>>(
  request: APIRequestContext,
  method: string,
  url: string,
  headers: Headers,
  data?: unknown,
): Promise<T> {
  const res = await request.fetch(url, { method, headers, ...(data === undefined ? {} : { data }) });
  expect(res.status(), `${method} ${url} → ${res.status()} ${(await res.text()).slice(0, 300)}`).toBeLessThan(300);
  return (await res.json().catch(() => ({}))) as T;
}

async function tenant(
  request: APIRequestContext,
  baseURL: string,
  admin: Headers,
  who: { email: string; password: string },
  env: string,
) {
  const add = await request.post("/api/v1/users", { headers: admin, data: { ...who, role: "user" } });
  expect([201, 409], `add ${who.email}`).toContain(add.status());
  const { token } = await ok<{ token: string }>(request, "POST", "/api/v1/auth/token", {}, who);
  const { users } = await ok<{ users: { id: string; email: string }[] }>(request, "GET", "/api/v1/users", admin);
  const userId = users.find((u) => u.email === who.email)!.id;
  return {
    ...who,
    token: { authorization: `Bearer ${token}` },
    cookie: await sessionCookie(baseURL, who),
    userId,
    env,
  };
}

/**
 * Other Mariner instances on this machine (other suites running at the same time) bind 127.0.0.x:3306 addresses
 * too: an address free when the console picked it can be taken before its server binds it. Only that failure is
 * retried, and visibly.
 */
async function createEnvironment(request: APIRequestContext, headers: Headers, name: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await request.post("/api/v1/environments", { headers, data: { name } });
    const text = await res.text();
    if (res.status() === 201) return;
    if (attempt < 3 && res.status() === 500 && text.includes("its address is already in use")) {
      console.log(`NOTE: creating ${name}: its address was taken by another process meanwhile; trying again`);
      continue;
    }
    expect(res.status(), `create ${name} → ${text.slice(0, 300)}`).toBe(201);
  }
}

export async function setUpTenants(request: APIRequestContext, baseURL: string): Promise<Fixture> {
  const admin = await apiToken(request);
  const a0 = await tenant(request, baseURL, admin, TENANT_A, ENV_A);
  const b = await tenant(request, baseURL, admin, TENANT_B, ENV_B);
  await Promise.all([createEnvironment(request, a0.token, ENV_A), createEnvironment(request, b.token, ENV_B)]);
  const h = a0.token;
  const e = `/api/v1/environments/${ENV_A}`;
  const sql = async (statement: string) =>
    expect((await ok<{ kind: string }>(request, "POST", `${e}/sql`, h, { statement })).kind, statement).toBe("ok");
  await sql(`CREATE DATABASE ${DB_A}`);
  await sql(`CREATE TABLE ${DB_A}.t (id INT PRIMARY KEY)`);
  await sql(`INSERT INTO ${DB_A}.t VALUES (1), (2), (3)`);
  const backup = await ok<{ operationId: string }>(request, "POST", `${e}/backups`, h);
  const { backups } = await ok<{ backups: { id: string; status: string }[] }>(request, "GET", `${e}/backups`, h);
  expect(backups.map((x) => x.status)).toEqual(["succeeded"]);
  const rule = await ok<{ id: string; environmentId: string }>(request, "POST", `${e}/alert-rules`, h, {
    kind: "node-down",
    forSec: 86_400,
  });
  const endpoint = await ok<{ name: string; writer: string; reader: string }>(request, "POST", `${e}/endpoints`, h, {});
  const cluster = await ok<{ name: string; members: { address: string }[] }>(request, "POST", "/api/v1/galera", h, {
    name: CLUSTER_A,
  });
  const clusterEndpoint = await ok<{ writer: string; reader: string }>(
    request,
    "POST",
    `/api/v1/galera/${CLUSTER_A}/endpoints`,
    h,
  );
  await ok(request, "POST", `${e}/replication/users`, h, { user: REPL_USER_A, password: "sweep-a-repl-9" });
  await ok(request, "POST", `${e}/accounts`, h, {
    user: APP_USER_A,
    password: "sweep-a-app-pass-9",
    grants: [{ database: DB_A, level: "read-write" }],
  });
  // A real finding with a one-click fix on A's server: an anonymous account, made the way a user would.
  await sql("CREATE USER ''@'localhost'");
  const findingId = `anonymous-users:${ENV_A}`;
  expect(
    (await ok<{ findings: { id: string }[] }>(request, "GET", "/api/v1/doctor", h)).findings.map((f) => f.id),
  ).toContain(findingId);
  const { tokens } = await ok<{ tokens: { id: string }[] }>(request, "GET", "/api/v1/tokens", h);
  const { revisions } = await ok<{ revisions: { id: string }[] }>(request, "GET", `${e}/config/revisions`, h);
  const env = await ok<{ host: string; port: number }>(request, "GET", e, h);

  let host: string | null = null;
  let hostNote = "";
  const engine = (process.env.MARINER_TEST_DOCKER_HOSTS ?? "").split(",").filter(Boolean)[0]?.split("=")[1];
  if (engine) {
    await ok(request, "POST", "/api/v1/hosts", admin, { name: HOST, endpoint: engine });
    host = HOST;
  } else {
    hostNote =
      "no Docker engine in this run (MARINER_TEST_DOCKER_HOSTS unset): hosts/[name] is swept with a name that does not exist";
    test.info().annotations.push({ type: "no docker host", description: hostNote });
    console.log(`NOTE: ${hostNote}`);
  }
  return {
    admin,
    b,
    host,
    hostNote,
    a: {
      ...a0,
      envId: rule.environmentId,
      address: `${env.host}:${env.port}`,
      backupId: backups[0].id,
      ruleId: rule.id,
      operationId: backup.operationId,
      endpoint: endpoint.name,
      endpointAddresses: [endpoint.writer, endpoint.reader],
      cluster: cluster.name,
      clusterAddresses: [...cluster.members.map((m) => m.address), clusterEndpoint.writer, clusterEndpoint.reader],
      tokenId: tokens[0].id,
      revisionId: revisions[0].id,
      findingId,
    },
  };
}

/** Strings that identify A's data: none may reach B. */
export function identifiersOfA(fx: Fixture): string[] {
  const a = fx.a;
  const ids = [a.backupId, a.ruleId, a.operationId, a.tokenId, a.revisionId, a.findingId];
  return [
    a.email,
    a.userId,
    a.env,
    a.envId,
    a.address,
    ...ids,
    DB_A,
    REPL_USER_A,
    APP_USER_A,
    ...a.endpointAddresses,
    a.cluster,
    ...a.clusterAddresses,
  ];
}

/** Which of A's identifiers a text contains (each matched as a whole token, not inside a longer name). */
export function leaksOfA(fx: Fixture, text: string, except: string[] = []): string[] {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return identifiersOfA(fx).filter(
    (id) => !except.includes(id) && new RegExp(`(?<![\\w-])${esc(id)}(?![\\w-])`).test(text),
  );
}

/** Everything of A's that an attempt by B could change, as A (and the admin) see it. */
export async function snapshotOfA(request: APIRequestContext, fx: Fixture) {
  const h = fx.a.token;
  const get = async (url: string, headers = h) => {
    const res = await request.get(url, { headers });
    expect(res.status(), `snapshot ${url}`).toBe(200);
    return res.json();
  };
  const e = `/api/v1/environments/${ENV_A}`;
  const env = await get(e);
  const rows = await request.post(`${e}/sql`, {
    headers: h,
    data: { statement: `SELECT id FROM ${DB_A}.t ORDER BY id` },
  });
  return {
    environment: [env.name, env.status, env.desiredState, env.memoryMb, env.host, env.port, env.serverId],
    config: (await get(`${e}/config`)).content,
    revisions: (await get(`${e}/config/revisions`)).revisions.map((r: { id: string }) => r.id),
    backups: (await get(`${e}/backups`)).backups.map((b: Row) => [b.id, b.status, b.sha256]),
    policy: (await get(`${e}/backup-policy`)).policy,
    rules: (await get("/api/v1/alerts")).rules.map((r: Row) => [r.id, r.kind, r.forSec, r.webhookUrl]),
    endpoints: (await get("/api/v1/endpoints")).endpoints.map((x: Row) => [x.name, x.master, x.writer, x.reader]),
    galera: (await get("/api/v1/galera")).clusters,
    galeraNodes: (await get(`/api/v1/galera/${fx.a.cluster}`)).members.map((m: Row) => [m.name, m.address, m.running]),
    tokens: (await get("/api/v1/tokens")).tokens.map((t: Row) => [t.id, t.revokedAt]),
    replicationUsers: (await get(`${e}/replication/users`)).users,
    databases: (await get(`${e}/databases`)).databases,
    accounts: (await get(`${e}/accounts`)).accounts.items.map(
      (x: { user: string; host: string; locked: boolean; databases: { database: string; level: string }[] }) => [
        x.user,
        x.host,
        x.locked,
        x.databases.map((d) => `${d.database}:${d.level}`).join(","),
      ],
    ),
    rows: (await rows.json()).rows,
    findings: (await get("/api/v1/doctor")).findings.map((f: { id: string }) => f.id),
    operation: ((o) => [o.id, o.status, o.action])(await get(`/api/v1/operations/${fx.a.operationId}`)),
    environments: (await get("/api/v1/environments")).environments.map((x: { name: string }) => x.name),
    hosts: (await get("/api/v1/hosts", fx.admin)).hosts.map((x: Row) => [x.name, x.endpoint]),
    users: (await get("/api/v1/users", fx.admin)).users.map((u: User) => [
      u.email,
      u.role,
      u.quota.environments.limit,
      u.quota.memoryMb.limit,
    ]),
  };
}

/** Fresh tokens: a sweep that found a bug may have left the fixture's own tokens revoked. */
export async function tearDownTenants(request: APIRequestContext, fx: Fixture | undefined) {
  if (!fx) return;
  const token = async (who: { email: string; password: string }) => {
    const res = await request.post("/api/v1/auth/token", { data: who });
    return { authorization: `Bearer ${(await res.json()).token}` };
  };
  const a = await token(TENANT_A);
  await request.delete(`/api/v1/endpoints/${fx.a.endpoint}`, { headers: a });
  await request.delete(`/api/v1/galera/${fx.a.cluster}`, { headers: a });
  await request.delete(`/api/v1/environments/${ENV_A}`, { headers: a });
  await request.delete(`/api/v1/environments/${ENV_B}`, { headers: await token(TENANT_B) });
  if (fx.host) await request.delete(`/api/v1/hosts/${fx.host}`, { headers: fx.admin });
}

export type SnapshotOfA = Awaited<ReturnType<typeof snapshotOfA>>;

/**
 * The set-up every sweep shares: tenants A and B with A's real objects, and A's data before the sweep (for the
 * "nothing changed" check); torn down afterwards. Call inside a describe block.
 */
export function sweepTenants(use: (fx: Fixture, before: SnapshotOfA) => void) {
  let fx: Fixture | undefined;
  test.beforeAll(async ({ request, baseURL }) => {
    test.setTimeout(240_000);
    fx = await setUpTenants(request, baseURL!);
    use(fx, await snapshotOfA(request, fx));
  });
  test.afterAll(async ({ request }) => {
    await tearDownTenants(request, fx);
    await deleteAll(request);
  });
}
