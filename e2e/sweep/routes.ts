import type { z } from "zod";
import { doctorFixInput, newTokenInput, promoteInput, tokenRequestInput } from "../../lib/api/schemas";
import { newUserInput } from "../../lib/auth/users";
import { archiveInput, backupInput, pointInTimeInput, policyInput, restoreInput } from "../../lib/backups/service";
import { consoleBackupInput } from "../../lib/console-state/service";
import { createClusterInput } from "../../lib/galera/create";
import { rollingInput } from "../../lib/galera/rolling";
import { saveConfigInput } from "../../lib/environments/config";
import { addUserInput, configureMasterInput, controlInput, dropUserInput } from "../../lib/environments/replication";
import { createEnvironmentInput, environmentActionInput } from "../../lib/environments/service";
import { sqlInput } from "../../lib/environments/sql";
import { createAccountInput, dropAccountInput, grantInput, lockInput, passwordInput } from "../../lib/data/accounts";
import { createDatabaseInput, dropDatabaseInput } from "../../lib/data/databases";
import { replicationTlsInput } from "../../lib/environments/tls";
import { ruleInput } from "../../lib/monitoring/alerts";
import { endpointInput } from "../../lib/proxy/endpoints";
import { userLimitsInput } from "../../lib/quotas";
import { hostInput } from "../../lib/runtime/hosts";
import {
  addSlavesInput,
  cloneInput,
  failoverInput,
  failoverPolicyInput,
  filtersInput,
  healingInput,
  semiSyncInput,
  moveInput,
  switchoverInput,
} from "../../lib/topology";
import { APP_USER_A, DB_A, REPL_USER_A, type Fixture } from "./tenants";

/**
 * The sweep's table of every route handler × method, keyed "METHOD /path". The sweep asserts it matches the
 * handlers found in app/api exactly: a new route without an entry here fails the run.
 *
 * - public: no sign-in needed (the reason says why);
 * - tenant: acts on the object its path names; anyone but its owner (and admins) gets 404, as for no object;
 * - self: no object in the path, acts on the caller's own data; another tenant sees none of A's;
 * - admin: admins only; everyone else gets 403.
 *
 * `body` is the very schema object the service parses with ("none": the route reads no body); `valid` is a body the
 * schema accepts: B sends it at A's objects, and hostile bodies are that body with one thing changed.
 */
export type Access = { kind: "public"; reason: string } | { kind: "tenant" } | { kind: "self" } | { kind: "admin" };

export interface RouteEntry {
  access: Access;
  body: z.ZodType | "none";
  valid?: (fx: Fixture) => Record<string, unknown>;
  /** self writes: what B sends (naming A's objects where the body can) and the status B must get. */
  asB?: { body: (fx: Fixture) => Record<string, unknown>; status: number };
  /** Server-sent events: read the first event only. */
  stream?: true;
}

type Body = RouteEntry["body"];
const tenant = (body: Body = "none", valid?: RouteEntry["valid"]): RouteEntry => ({
  access: { kind: "tenant" },
  body,
  valid,
});
const self = (extra: Partial<RouteEntry> = {}): RouteEntry => ({ access: { kind: "self" }, body: "none", ...extra });
const admin = (body: Body = "none", valid?: RouteEntry["valid"]): RouteEntry => ({
  access: { kind: "admin" },
  body,
  valid,
});
const NEXTAUTH =
  "next-auth's own endpoints (csrf, session, providers, credentials callback, sign-out) serve visitors who are not signed in yet";
const E = "/api/v1/environments/[name]";

export const ROUTES: Record<string, RouteEntry> = {
  "GET /api/auth/[...nextauth]": { access: { kind: "public", reason: NEXTAUTH }, body: "none" },
  "POST /api/auth/[...nextauth]": { access: { kind: "public", reason: NEXTAUTH }, body: "none" },
  "POST /api/v1/auth/token": {
    access: { kind: "public", reason: "the sign-in of API clients: exchanges e-mail and password for a token" },
    body: tokenRequestInput,
    valid: () => ({ email: "nobody@e2e.test", password: "not-a-password" }),
  },
  "DELETE /api/v1/alert-rules/[id]": tenant(),
  "GET /api/v1/alerts": self(),
  "GET /api/v1/backups/[id]/download": tenant(),
  "POST /api/v1/backups/[id]/restore": tenant(restoreInput, () => ({ name: "sweep-restored" })),
  "POST /api/v1/backups/[id]/verify": tenant(),
  "GET /api/v1/ca": self(),
  "GET /api/v1/doctor": self(),
  "POST /api/v1/doctor": self({
    body: doctorFixInput,
    valid: (fx) => ({ fix: fx.a.findingId }),
    // A's finding, by its id: B's doctor does not know it.
    asB: { body: (fx) => ({ fix: fx.a.findingId }), status: 404 },
  }),
  "DELETE /api/v1/endpoints/[name]": tenant(),
  "GET /api/v1/endpoints": self(),
  [`POST ${E}/actions`]: tenant(environmentActionInput, () => ({ action: "stop" })),
  [`POST ${E}/alert-rules`]: tenant(ruleInput, () => ({ kind: "lag", thresholdSec: 30, forSec: 60 })),
  [`GET ${E}/backup-policy`]: tenant(),
  [`PUT ${E}/backup-policy`]: tenant(policyInput, () => ({ schedule: "0 3 * * *", keepLast: 3 })),
  [`GET ${E}/backups`]: tenant(),
  [`POST ${E}/backups`]: tenant(backupInput, () => ({ method: "logical" })),
  [`GET ${E}/binlog-archive`]: tenant(),
  [`PUT ${E}/binlog-archive`]: tenant(archiveInput, () => ({ enabled: false })),
  [`POST ${E}/point-in-time`]: tenant(pointInTimeInput, () => ({ name: "sweep-pitr", time: "2026-01-01 00:00:00" })),
  [`POST ${E}/clone`]: tenant(cloneInput, () => ({ name: "sweep-clone" })),
  [`GET ${E}/config/revisions`]: tenant(),
  [`GET ${E}/config`]: tenant(),
  [`PUT ${E}/config`]: tenant(saveConfigInput, () => ({ content: "[mysqld]\nmax_connections = 7\n" })),
  [`GET ${E}/connection`]: tenant(),
  [`GET ${E}/databases`]: tenant(),
  [`POST ${E}/databases`]: tenant(createDatabaseInput, () => ({ name: "sweep_b_db" })),
  [`DELETE ${E}/databases`]: tenant(dropDatabaseInput, () => ({ name: DB_A, confirm: DB_A })),
  [`GET ${E}/accounts`]: tenant(),
  [`POST ${E}/accounts`]: tenant(createAccountInput, () => ({ user: "sweepb_app" })),
  [`DELETE ${E}/accounts`]: tenant(dropAccountInput, () => ({ user: APP_USER_A })),
  [`POST ${E}/accounts/grant`]: tenant(grantInput, () => ({ user: APP_USER_A, database: DB_A, level: "all" })),
  [`POST ${E}/accounts/password`]: tenant(passwordInput, () => ({ user: APP_USER_A })),
  [`POST ${E}/accounts/lock`]: tenant(lockInput, () => ({ user: APP_USER_A, locked: true })),
  // The file is the raw body and the options are in the query: there is no JSON body to make hostile.
  [`POST ${E}/import`]: tenant(),
  [`DELETE ${E}/import`]: tenant(),
  [`GET ${E}/export`]: tenant(),
  [`POST ${E}/endpoints`]: tenant(endpointInput, () => ({ name: "sweep-b-proxy" })),
  [`GET ${E}/failover-policy`]: tenant(),
  [`GET ${E}/healing`]: tenant(),
  [`PUT ${E}/healing`]: tenant(healingInput, () => ({ keepSlaves: 0 })),
  [`GET ${E}/semi-sync`]: tenant(),
  [`PUT ${E}/semi-sync`]: tenant(semiSyncInput, () => ({ enabled: true, timeoutMs: 500 })),
  [`PUT ${E}/failover-policy`]: tenant(failoverPolicyInput, () => ({ autoFailover: true, confirmMs: 3000 })),
  [`POST ${E}/failover`]: tenant(failoverInput, () => ({})),
  [`PUT ${E}/filters`]: tenant(filtersInput, () => ({ doDb: ["shop"] })),
  [`GET ${E}/lag`]: tenant(),
  [`GET ${E}/logs`]: tenant(),
  [`POST ${E}/make-master`]: tenant(),
  [`POST ${E}/detach`]: tenant(),
  [`POST ${E}/move`]: tenant(moveInput, (fx) => ({ newMaster: fx.b.env })),
  [`GET ${E}/preflight`]: tenant(),
  [`POST ${E}/promote`]: tenant(promoteInput, () => ({ demoteOldMaster: false })),
  [`POST ${E}/replication/binlog`]: tenant(),
  [`POST ${E}/replication/check`]: tenant(),
  [`POST ${E}/replication/control`]: tenant(controlInput, () => ({ action: "full-stop" })),
  [`PUT ${E}/replication/master`]: tenant(configureMasterInput, (fx) => ({
    masterEnvironment: fx.b.env,
    user: "repl",
    password: "repl-pass-1",
  })),
  [`GET ${E}/replication/status`]: tenant(),
  [`PUT ${E}/replication/tls`]: tenant(replicationTlsInput, () => ({ enabled: true })),
  [`GET ${E}/replication/users`]: tenant(),
  [`POST ${E}/replication/users`]: tenant(addUserInput, () => ({ user: "sweepb", password: "sweep-b-repl-9" })),
  [`DELETE ${E}/replication/users`]: tenant(dropUserInput, () => ({ user: REPL_USER_A, host: "%" })),
  [`GET ${E}`]: tenant(),
  [`DELETE ${E}`]: tenant(),
  [`POST ${E}/slaves`]: tenant(addSlavesInput, () => ({ count: 1 })),
  [`POST ${E}/sql`]: tenant(sqlInput, () => ({ statement: "DROP DATABASE sweep_a_db" })),
  [`POST ${E}/switchover`]: tenant(switchoverInput, (fx) => ({ candidate: fx.b.env })),
  [`POST ${E}/tls/rotate`]: tenant(),
  "GET /api/v1/environments": self(),
  "POST /api/v1/environments": self({
    body: createEnvironmentInput,
    valid: () => ({ name: "sweep-new" }),
    // Naming A's environment as the one to stay away from, with a memory limit the schema refuses.
    asB: { body: (fx) => ({ name: "sweep-b-two", awayFrom: fx.a.env, memoryMb: 64 }), status: 400 },
  }),
  "GET /api/v1/events": self({ stream: true }),
  "GET /api/v1/galera": self(),
  "POST /api/v1/galera": self({
    body: createClusterInput,
    valid: () => ({ name: "sweep-gal", nodes: 3 }),
    // A node count the schema refuses, under A's cluster's name: nothing is made.
    asB: { body: (fx) => ({ name: fx.a.cluster, nodes: 4 }), status: 400 },
  }),
  "GET /api/v1/galera/[name]": tenant(),
  "DELETE /api/v1/galera/[name]": tenant(),
  "POST /api/v1/galera/[name]/recover": tenant(),
  "POST /api/v1/galera/[name]/config": tenant(rollingInput, () => ({ set: { max_connections: "151" } })),
  "GET /api/v1/galera/[name]/endpoints": tenant(),
  "POST /api/v1/galera/[name]/endpoints": tenant(),
  "DELETE /api/v1/galera/[name]/endpoints": tenant(),
  "POST /api/v1/galera/[name]/nodes": tenant(),
  "DELETE /api/v1/galera/[name]/nodes/[node]": tenant(),
  "DELETE /api/v1/hosts/[name]": admin(),
  "GET /api/v1/hosts": admin(),
  "POST /api/v1/hosts": admin(hostInput, () => ({ name: "sweep-b-host", endpoint: "unix:///nonexistent/docker.sock" })),
  "GET /api/v1/metrics": self(),
  "GET /api/v1/operations/[id]": tenant(),
  "GET /api/v1/quota": self(),
  "DELETE /api/v1/tokens/[id]": tenant(),
  "GET /api/v1/tokens": self(),
  // B's own new token: the caller's account only (A's tokens are in the snapshot).
  "POST /api/v1/tokens": self({
    body: newTokenInput,
    valid: () => ({ name: "sweep" }),
    asB: { body: () => ({ name: "sweep-b-own" }), status: 201 },
  }),
  "GET /api/v1/topology": self(),
  "GET /api/v1/users/[id]": admin(),
  "PATCH /api/v1/users/[id]": admin(userLimitsInput, () => ({ maxEnvironments: 1 })),
  "GET /api/v1/users": admin(),
  "POST /api/v1/console/backup": admin(consoleBackupInput, () => ({ passphrase: "sweep-console-passphrase" })),
  "POST /api/v1/users": admin(newUserInput, () => ({ email: "sweep-c@e2e.test", password: "sweep-c-password" })),
};

/** What each path parameter is filled with: A's real object of that kind. */
const PARAMS: Record<string, { real: (fx: Fixture) => string; none: string }> = {
  "environments/[name]": { real: (fx) => fx.a.env, none: "sweep-none-env" },
  "backups/[id]": { real: (fx) => fx.a.backupId, none: "cmsweepnobackup000000000" },
  "alert-rules/[id]": { real: (fx) => fx.a.ruleId, none: "cmsweepnorule00000000000" },
  "operations/[id]": { real: (fx) => fx.a.operationId, none: "cmsweepnooperation000000" },
  "endpoints/[name]": { real: (fx) => fx.a.endpoint, none: "sweep-none-proxy" },
  "galera/[name]": { real: (fx) => fx.a.cluster, none: "sweep-none-gal" },
  "nodes/[node]": { real: (fx) => `${fx.a.cluster}-3`, none: "sweep-none-gal-3" },
  "hosts/[name]": { real: (fx) => fx.host ?? "sweep-none-host", none: "sweep-none-host" },
  "tokens/[id]": { real: (fx) => fx.a.tokenId, none: "cmsweepnotoken0000000000" },
  "users/[id]": { real: (fx) => fx.a.userId, none: "cmsweepnouser00000000000" },
  "auth/[...nextauth]": { real: () => "session", none: "session" },
};

/** The URL with every parameter filled with A's real object (or, with `none`, an id no object has). */
export function fillPath(pattern: string, fx: Fixture, none = false): string {
  return pattern.replace(/([\w-]+)\/\[([.\w]+)\]/g, (whole) => {
    const p = PARAMS[whole];
    if (!p) throw new Error(`${pattern}: no value for ${whole}; add it to PARAMS in e2e/sweep/routes.ts`);
    return whole.replace(/\[.*\]$/, none ? p.none : p.real(fx));
  });
}
