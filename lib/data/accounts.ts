import crypto from "node:crypto";
import { z } from "zod";
import type { Connection } from "mysql2/promise";
import { createUserSql, grantPlan, LEVELS, type Level } from "@/lib/accounts/privileges";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment } from "@/lib/environments/service";
import * as accounts from "@/lib/mariadb/accounts";
import { databaseExists } from "@/lib/mariadb/databases";
import { runOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { assertWritable, replicationRole } from "./databases";
import { accountHost, accountUser, databaseName, isProtectedUser } from "./names";

const password = z
  .string()
  .min(12, "Password must be at least 12 characters")
  .max(200, "Password must be at most 200 characters")
  .refine((s) => !/[\0\n\r]/.test(s), "Password must not contain NUL or line breaks");
const grant = z.strictObject({ database: databaseName, level: z.enum([...LEVELS, "none"]) });
const who = { user: accountUser, host: accountHost.default("%") };

export const createAccountInput = z.strictObject({
  ...who,
  password: password.optional(),
  requireSsl: z.boolean().default(false),
  grants: z
    .array(grant)
    .max(50)
    .default([])
    .refine((gs) => new Set(gs.map((g) => g.database)).size === gs.length, "Name each database once in grants"),
});
export const grantInput = z.strictObject({ ...who, ...grant.shape });
export const passwordInput = z.strictObject({ ...who, password: password.optional() });
export const lockInput = z.strictObject({ ...who, locked: z.boolean() });
export const dropAccountInput = z.strictObject(who);

/** Who an account belongs to, as the Accounts list shows it. */
export type AccountKind = "application" | "replication" | "console";

const kindOf = (a: accounts.AccountInfo): AccountKind =>
  isProtectedUser(a.user)
    ? "console"
    : a.global.includes("REPLICATION SLAVE") && !a.databases.length
      ? "replication"
      : "application";

export async function listAccounts(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const [items, role] = await Promise.all([asRoot(env, accounts.accountList), replicationRole(env)]);
  return { items: items.map((a) => ({ ...a, kind: kindOf(a) })), ...role };
}

const generated = () => crypto.randomBytes(18).toString("base64url");

async function findApplicationAccount(c: Connection, user: string, host: string) {
  const found = (await accounts.accountList(c)).find((a) => a.user === user && a.host === host);
  if (!found) throw new ServiceError(404, "not_found", `Account '${user}'@'${host}' not found`);
  if (kindOf(found) !== "application")
    throw new ServiceError(
      403,
      "protected_account",
      `'${user}'@'${host}' is managed elsewhere and cannot be changed here`,
    );
  return found;
}

async function applyGrant(
  c: Connection,
  user: string,
  host: string,
  database: string,
  held: string[],
  level: Level | "none",
) {
  if (!(await databaseExists(c, database)))
    throw new ServiceError(404, "not_found", `Database "${database}" not found`);
  const statements = grantPlan(user, host, database, held, level);
  for (const s of statements) await c.query(s);
  return statements;
}

/**
 * Creates an application account on the master (it replicates to the slaves) with its database grants, in one
 * operation: when a grant fails, the account is dropped again, so nothing is half-created.
 */
export async function createAccount(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(createAccountInput, raw);
  await assertWritable(env, "create accounts");
  const secret = input.password ?? generated();
  const { password: _omit, ...audited } = input;
  const statements = await runOperation(
    { userId: actor.id, action: "account.create", environmentId: env.id, target: env.name, params: audited },
    () =>
      asRoot(env, async (c) => {
        if ((await accounts.accountList(c)).some((a) => a.user === input.user && a.host === input.host))
          throw new ServiceError(409, "exists", `Account '${input.user}'@'${input.host}' already exists`);
        for (const g of input.grants)
          if (!(await databaseExists(c, g.database)))
            throw new ServiceError(404, "not_found", `Database "${g.database}" not found`);
        await accounts.createAccount(c, input.user, input.host, secret, input.requireSsl);
        const ran = [createUserSql(input.user, input.host, null, input.requireSsl)];
        try {
          for (const g of input.grants)
            ran.push(...(await applyGrant(c, input.user, input.host, g.database, [], g.level)));
        } catch (e) {
          await accounts.dropAccount(c, input.user, input.host).catch(() => undefined);
          throw e;
        }
        return ran;
      }),
  );
  return { user: input.user, host: input.host, password: input.password ? null : secret, statements };
}

export async function setGrant(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(grantInput, raw);
  await assertWritable(env, "change grants");
  const statements = await runOperation(
    { userId: actor.id, action: "account.grant", environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        const found = await findApplicationAccount(c, input.user, input.host);
        const held = found.databases.find((d) => d.database === input.database)?.privileges ?? [];
        return applyGrant(c, input.user, input.host, input.database, held, input.level);
      }),
  );
  return { statements };
}

export async function changePassword(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(passwordInput, raw);
  await assertWritable(env, "change passwords");
  const secret = input.password ?? generated();
  await runOperation(
    {
      userId: actor.id,
      action: "account.password",
      environmentId: env.id,
      target: env.name,
      params: { user: input.user, host: input.host },
    },
    () =>
      asRoot(env, async (c) => {
        await findApplicationAccount(c, input.user, input.host);
        await accounts.setAccountPassword(c, input.user, input.host, secret);
      }),
  );
  return { user: input.user, host: input.host, password: input.password ? null : secret };
}

export async function lockAccount(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(lockInput, raw);
  await assertWritable(env, "lock accounts");
  await runOperation(
    { userId: actor.id, action: "account.lock", environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        await findApplicationAccount(c, input.user, input.host);
        await accounts.setAccountLocked(c, input.user, input.host, input.locked);
      }),
  );
}

export async function dropAccount(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(dropAccountInput, raw);
  await assertWritable(env, "drop accounts");
  await runOperation(
    { userId: actor.id, action: "account.drop", environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        await findApplicationAccount(c, input.user, input.host);
        await accounts.dropAccount(c, input.user, input.host);
      }),
  );
}
