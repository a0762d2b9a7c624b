import { expect } from "@playwright/test";
import { APP_USER_A, DB_A, REPL_USER_A, type Fixture } from "./tenants";

/**
 * Calling a server action the way Next 16's client does: POST to a page with `Next-Action: <id>`, the arguments
 * as the text body React's encodeReply makes of plain JSON values, `Accept: text/x-component`, and an Origin of
 * the console's own (Next refuses a foreign Origin before running anything).
 *
 * What comes back (next/dist/server/app-render/action-handler.js): the action's value as row `a` of a Flight
 * (RSC) response, 200; `redirect()` inside the action → 200 with `x-action-redirect: <url>;push` (not an HTTP
 * redirect); a thrown error → 500 with an `E` row carrying only a digest; an unknown action id → 409 "Server
 * Action unavailable." (400 "Invalid Server Action request." for an id of the wrong shape) with
 * `x-nextjs-action-not-found: 1`.
 */

export interface ActionResponse {
  status: number;
  location: string | null;
  actionRedirect: string | null;
  notFoundMarker: string | null;
  contentType: string;
  body: string;
  /** The action's returned value (row `a`), or `{ thrown: {digest} }` for an error row; undefined when absent. */
  value: unknown;
}

/** Rows of a Flight response: `<hex id>:<payload>\n`; payload JSON, or `E{…}` for an error. */
export function flightRows(body: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of body.split("\n")) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  return rows;
}

/** Flight's escapes in plain values: "$undefined", "$$…" for a string starting with "$", "$D…" for a Date. */
const revive = (_key: string, v: unknown) => {
  if (typeof v !== "string" || !v.startsWith("$")) return v;
  if (v === "$undefined") return undefined;
  if (v.startsWith("$$")) return v.slice(1);
  if (v.startsWith("$D")) return v.slice(2);
  return v;
};

function flightValue(body: string): unknown {
  const rows = flightRows(body);
  const root = rows.get("0");
  if (!root) return undefined;
  let a = (JSON.parse(root) as { a?: unknown }).a;
  const ref = typeof a === "string" ? /^\$@([0-9a-f]+)$/.exec(a) : null;
  if (ref) {
    const row = rows.get(ref[1]) ?? "";
    if (row.startsWith("E")) return { thrown: JSON.parse(row.slice(1)) };
    a = JSON.parse(row, revive);
  }
  return a;
}

export async function callAction(
  baseURL: string,
  page: string,
  id: string,
  args: unknown[],
  cookie?: string,
): Promise<ActionResponse> {
  const res = await fetch(new URL(page, baseURL), {
    method: "POST",
    redirect: "manual",
    headers: {
      "next-action": id,
      accept: "text/x-component",
      "content-type": "text/plain;charset=UTF-8",
      origin: new URL(baseURL).origin,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(args),
  });
  const body = await res.text();
  const contentType = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    location: res.headers.get("location"),
    actionRedirect: res.headers.get("x-action-redirect"),
    notFoundMarker: res.headers.get("x-nextjs-action-not-found"),
    contentType,
    body,
    value: contentType.startsWith("text/x-component") ? flightValue(body) : undefined,
  };
}

/** The page a worker path names, e.g. app/(console)/environments/[name]/page → /environments/<env>. */
export const pageOfWorker = (worker: string, env: string) =>
  "/" +
  worker
    .replace(/^app\//, "")
    .replace(/\/?page$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .join("/")
    .replace("[name]", env);

interface ActionEntry {
  /** The arguments B sends: A's real objects. */
  args: (fx: Fixture) => unknown[];
  /** What B must get back: every field of it, exactly. */
  refusal: (fx: Fixture) => unknown;
  /** The action acts on the caller's own account only (A's objects are checked by the snapshot). */
  own?: true;
}

const notFound = (fx: Fixture) => `Environment "${fx.a.env}" not found`;
const refused =
  (extra: object = {}) =>
  (fx: Fixture) => ({ ok: false, error: notFound(fx), ...extra });
const env = (fx: Fixture) => fx.a.env;
const gone = (what: string) => () => ({ ok: false, error: `${what} not found` });
const R = "app/(console)/environments/[name]/replication/actions.ts";
const T = "app/(console)/environments/[name]/topology/actions.ts";
const DB = "app/(console)/environments/[name]/databases/actions.ts";
const G = "app/(console)/galera/actions.ts";
const galeraGone = (fx: Fixture) => ({ ok: false, error: `Galera cluster "${fx.a.cluster}" not found`, lines: [] });

/** Every server action, keyed "<file>#<export>": the sweep fails when the build holds one not listed here. */
export const ACTIONS: Record<string, ActionEntry> = {
  "app/(console)/admin/hosts/actions.ts#registerHostAction": {
    args: () => [{ name: "sweep-b-host", endpoint: "unix:///nonexistent/docker.sock" }],
    refusal: () => ({ ok: false, error: "Only an admin can manage Docker hosts" }),
  },
  "app/(console)/admin/hosts/actions.ts#copyImagesAction": {
    args: (fx) => [fx.host ?? "sweep-none-host"],
    refusal: () => ({ ok: false, error: "Only an admin can manage Docker hosts" }),
  },
  "app/(console)/admin/hosts/actions.ts#issueEngineCredentialsAction": {
    args: () => ["10.231.0.99"],
    refusal: () => ({ ok: false, error: "Only an admin can manage Docker hosts" }),
  },
  "app/(console)/admin/hosts/actions.ts#checkSwarmImagesAction": {
    args: () => ["prod"],
    refusal: () => ({ ok: false, error: "Only an admin can manage Docker hosts" }),
  },
  "app/(console)/admin/hosts/actions.ts#removeHostAction": {
    args: (fx) => [fx.host ?? "sweep-none-host"],
    refusal: () => ({ ok: false, error: "Only an admin can manage Docker hosts" }),
  },
  "app/(console)/admin/users/actions.ts#addUserAction": {
    args: () => [{ email: "sweep-c@e2e.test", password: "sweep-c-password", role: "admin" }],
    refusal: () => ({ ok: false, error: "Only an admin can add users" }),
  },
  "app/(console)/admin/users/actions.ts#setUserLimitsAction": {
    args: (fx) => [fx.a.userId, { maxEnvironments: 100, maxMemoryMb: null }],
    refusal: () => ({ ok: false, error: "Only an admin can see or change quotas" }),
  },
  "app/(console)/alerts/actions.ts#addRuleAction": {
    args: (fx) => [env(fx), { kind: "node-down", forSec: 0 }],
    refusal: refused(),
  },
  "app/(console)/alerts/actions.ts#deleteRuleAction": { args: (fx) => [fx.a.ruleId], refusal: gone("Alert rule") },
  "app/(console)/environments/actions.ts#createEnvironmentAction": {
    // B's own create, naming A's environment and a memory limit the schema refuses: nothing is made.
    args: (fx) => [{ name: env(fx), memoryMb: 64 }],
    refusal: () => ({ ok: false, error: "memoryMb: Memory limit must be at least 128 MB", lines: [] }),
    own: true,
  },
  "app/(console)/environments/actions.ts#deleteEnvironmentAction": {
    args: (fx) => [env(fx)],
    refusal: refused({ lines: [] }),
  },
  "app/(console)/environments/actions.ts#environmentActionAction": {
    args: (fx) => [env(fx), "stop"],
    refusal: refused({ lines: [] }),
  },
  "app/(console)/environments/actions.ts#revealPasswordAction": {
    args: (fx) => [env(fx)],
    refusal: refused({ lines: [] }),
  },
  "app/(console)/galera/actions.ts#createClusterAction": {
    // B's own create under A's cluster name, with a node count the schema refuses: nothing is made.
    args: (fx) => [{ name: fx.a.cluster, nodes: 4, memoryMb: 256 }],
    refusal: () => ({ ok: false, error: "nodes: A Galera cluster has 3 or 5 nodes", lines: [] }),
    own: true,
  },
  [`${G}#recoverClusterAction`]: { args: (fx) => [fx.a.cluster], refusal: galeraGone },
  [`${G}#rollingConfigAction`]: { args: (fx) => [fx.a.cluster, "max_connections = 9"], refusal: galeraGone },
  [`${G}#createClusterEndpointsAction`]: { args: (fx) => [fx.a.cluster], refusal: galeraGone },
  [`${G}#addNodeAction`]: { args: (fx) => [fx.a.cluster], refusal: galeraGone },
  [`${G}#removeNodeAction`]: { args: (fx) => [fx.a.cluster, `${fx.a.cluster}-3`], refusal: galeraGone },
  [`${G}#deleteClusterAction`]: { args: (fx) => [fx.a.cluster], refusal: galeraGone },
  "app/(console)/environments/[name]/backups/actions.ts#archiveAction": {
    args: (fx) => [env(fx), true],
    refusal: refused(),
  },
  "app/(console)/environments/[name]/backups/actions.ts#pointInTimeAction": {
    args: (fx) => [env(fx), { name: "sweep-b-pitr", time: "2026-01-01 00:00:00" }],
    refusal: refused(),
  },
  "app/(console)/environments/[name]/backups/actions.ts#policyAction": {
    args: (fx) => [env(fx), { schedule: "* * * * *", keepLast: 1, keepDays: null, verifySchedule: null }],
    refusal: refused(),
  },
  "app/(console)/environments/[name]/backups/actions.ts#restoreAction": {
    args: (fx) => [fx.a.backupId, { name: "sweep-b-restored", asSlave: false, overwrite: false }],
    refusal: gone("Backup"),
  },
  "app/(console)/environments/[name]/backups/actions.ts#takeBackupAction": {
    args: (fx) => [env(fx)],
    refusal: refused(),
  },
  "app/(console)/environments/[name]/backups/actions.ts#verifyAction": {
    args: (fx) => [fx.b.env, fx.a.backupId],
    refusal: gone("Backup"),
  },
  "app/(console)/environments/[name]/config/actions.ts#restoreRevisionAction": {
    args: (fx) => [env(fx), fx.a.revisionId],
    refusal: refused({ problems: [], lines: [] }),
  },
  "app/(console)/environments/[name]/config/actions.ts#saveConfigAction": {
    args: (fx) => [env(fx), "[mysqld]\nmax_connections = 7\n"],
    refusal: refused({ problems: [], lines: [] }),
  },
  [`${DB}#createDatabaseAction`]: { args: (fx) => [env(fx), { name: "sweep_b_db" }], refusal: refused() },
  [`${DB}#dropDatabaseAction`]: {
    args: (fx) => [env(fx), { name: DB_A, confirm: DB_A }],
    refusal: refused(),
  },
  [`${DB}#createAccountAction`]: {
    args: (fx) => [env(fx), { user: "sweepb_app", grants: [{ database: DB_A, level: "all" }] }],
    refusal: refused(),
  },
  [`${DB}#grantAction`]: {
    args: (fx) => [env(fx), { user: APP_USER_A, database: DB_A, level: "all" }],
    refusal: refused(),
  },
  [`${DB}#passwordAction`]: { args: (fx) => [env(fx), { user: APP_USER_A }], refusal: refused() },
  [`${DB}#lockAction`]: { args: (fx) => [env(fx), { user: APP_USER_A, locked: true }], refusal: refused() },
  [`${DB}#dropAccountAction`]: { args: (fx) => [env(fx), { user: APP_USER_A }], refusal: refused() },
  "app/(console)/environments/[name]/connection/actions.ts#createEndpointsAction": {
    args: (fx) => [env(fx)],
    refusal: refused(),
  },
  [`${R}#addReplicationUserAction`]: {
    args: (fx) => [env(fx), { user: "sweepb", password: "sweep-b-repl-9", host: "%" }],
    refusal: refused({ lines: [] }),
  },
  [`${R}#checkReplicationAction`]: { args: (fx) => [env(fx)], refusal: refused({ lines: [] }) },
  [`${R}#configureMasterAction`]: {
    args: (fx) => [env(fx), { masterEnvironment: fx.b.env, user: "repl", password: "repl-pass-123" }],
    refusal: refused({ lines: [] }),
  },
  [`${R}#controlSlaveAction`]: { args: (fx) => [env(fx), "full-stop"], refusal: refused({ lines: [] }) },
  [`${R}#dropReplicationUserAction`]: {
    args: (fx) => [env(fx), { user: REPL_USER_A, host: "%" }],
    refusal: refused({ lines: [] }),
  },
  [`${R}#enableBinlogAction`]: { args: (fx) => [env(fx)], refusal: refused({ lines: [] }) },
  [`${R}#replicationTlsAction`]: { args: (fx) => [env(fx), true], refusal: refused({ lines: [] }) },
  "app/(console)/environments/[name]/sql/actions.ts#databasesAction": { args: (fx) => [env(fx)], refusal: () => [] },
  "app/(console)/environments/[name]/sql/actions.ts#runSqlAction": {
    args: (fx) => [env(fx), "DROP DATABASE sweep_a_db"],
    refusal: (fx) => ({ kind: "error", errno: null, code: "not_found", sqlState: null, message: notFound(fx), ms: 0 }),
  },
  [`${T}#addSlavesAction`]: { args: (fx) => [env(fx), 1], refusal: refused() },
  [`${T}#cloneAction`]: { args: (fx) => [env(fx), "sweep-b-clone", false], refusal: refused() },
  [`${T}#failoverAction`]: { args: (fx) => [env(fx)], refusal: refused() },
  [`${T}#failoverPolicyAction`]: { args: (fx) => [env(fx), true, 3000], refusal: refused() },
  [`${T}#semiSyncAction`]: { args: (fx) => [env(fx), true, 500], refusal: refused() },
  [`${T}#healingAction`]: { args: (fx) => [env(fx), 0], refusal: refused() },
  [`${T}#filtersAction`]: {
    args: (fx) => [env(fx), { doDb: ["shop"], ignoreDb: [], wildDoTable: [], wildIgnoreTable: [] }],
    refusal: refused(),
  },
  [`${T}#makeMasterAction`]: { args: (fx) => [env(fx)], refusal: refused() },
  [`${T}#moveAction`]: { args: (fx) => [env(fx), fx.b.env], refusal: refused() },
  [`${T}#switchoverAction`]: { args: (fx) => [env(fx), fx.b.env, false], refusal: refused() },
  "app/(console)/tokens/actions.ts#createTokenAction": {
    // A token for B itself: acts on the caller's own account (A's tokens are in the snapshot).
    args: () => ["sweep-b-action"],
    refusal: () => expect.any(String),
    own: true,
  },
  "app/(console)/tokens/actions.ts#revokeTokenAction": { args: (fx) => [fx.a.tokenId], refusal: gone("Token") },
  "app/(console)/topology/actions.ts#planDropAction": { args: (fx) => [env(fx), fx.b.env], refusal: refused() },
  "app/(console)/topology/actions.ts#dropAction": { args: (fx) => [env(fx), null], refusal: refused() },
  "app/(console)/topology/actions.ts#applyFixAction": {
    args: (fx) => [fx.a.findingId],
    refusal: () => ({ ok: false, error: "That problem is no longer present" }),
  },
};
