import { z } from "zod";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { email, password } from "@/lib/names";
import { generatePassword, sha256 } from "@/lib/secrets";
import type { Actor } from "./actor";
import { UNKNOWN_ADDRESS } from "./client-address";
import { hashPassword, verifyPassword } from "./password";
import { signInGuard, tooManyFailures } from "./sign-in-guard";

export const newUserInput = z.strictObject({
  email,
  password,
  role: z.enum(["admin", "user"]).default("user"),
});

function toActor(u: { id: string; email: string; role: string }): Actor {
  return { id: u.id, email: u.email, role: u.role === "admin" ? "admin" : "user" };
}

export async function actorById(id: string): Promise<Actor | null> {
  const u = await db().user.findUnique({ where: { id } });
  return u ? toActor(u) : null;
}

// A bcrypt hash to compare against when the e-mail is unknown, so timing does not reveal which accounts exist.
const DUMMY_HASH = "$2b$11$6ATGVTqNsi7w8A9oRohBzuAtHO7QfKfCKrT4WKeVa.yejV9JBqiqC";

/**
 * Checks e-mail + password. Throttled per account and per client address with growing delays (sign-in-guard.ts):
 * a 429 says how long to wait; someone guessing from one address does not keep the owner out from another.
 */
export async function authenticate(
  rawEmail: unknown,
  rawPassword: unknown,
  clientAddress: string = UNKNOWN_ADDRESS,
): Promise<Actor | null> {
  const e = email.safeParse(rawEmail);
  if (!e.success || typeof rawPassword !== "string" || rawPassword.length > 200) return null;
  const attempt = signInGuard().admitPassword(e.data, clientAddress);
  if (!attempt.ok) throw tooManyFailures(attempt.retryAfterSec, "sign-ins from this address or for this account");
  const user = await db().user.findUnique({ where: { email: e.data } });
  const ok = await verifyPassword(rawPassword, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  attempt.succeeded();
  return toActor(user);
}

export async function createUser(actor: Actor, raw: unknown) {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can add users");
  const input = parseInput(newUserInput, raw);
  const exists = await db().user.findUnique({ where: { email: input.email } });
  if (exists) throw new ServiceError(409, "email_taken", `A user with e-mail ${input.email} already exists`);
  const user = await db().user.create({
    data: { email: input.email, role: input.role, passwordHash: await hashPassword(input.password) },
  });
  return toActor(user);
}

export async function listUsers(actor: Actor) {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can list users");
  return db().user.findMany({
    select: { id: true, email: true, role: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
}

/** The e-mail of each owner the actor may see (an admin: everyone's; anyone else: their own). */
export async function ownerEmails(actor: Actor, ownerIds: string[]): Promise<Map<string, string>> {
  const ids = actor.role === "admin" ? [...new Set(ownerIds)] : [actor.id];
  const users = await db().user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

/**
 * First start: create the admin from MARINER_ADMIN_EMAIL / MARINER_ADMIN_PASSWORD, or generate a password
 * and print it once. Does nothing when any user exists.
 */
export async function ensureAdmin(log: (line: string) => void = console.log): Promise<void> {
  if ((await db().user.count()) > 0) return;
  const adminEmail = email.parse(process.env.MARINER_ADMIN_EMAIL ?? "admin@mariner.local");
  // An empty value (a compose file's `${VAR:-}`) is no password: one is generated, never "" accepted.
  const given = process.env.MARINER_ADMIN_PASSWORD || undefined;
  if (given !== undefined && given.length < 8)
    throw new Error("MARINER_ADMIN_PASSWORD must have at least 8 characters (or leave it unset to generate one)");
  const pw = given ?? generatePassword(20);
  await db().user.create({ data: { email: adminEmail, role: "admin", passwordHash: await hashPassword(pw) } });
  log(`Mariner: created admin account ${adminEmail}`);
  if (!given) log(`Mariner: its generated password (shown once, store it now): ${pw}`);
}

// ---- API tokens ----

export async function issueToken(actor: Actor, name = "api") {
  const token = `mrn_${generatePassword(40)}`;
  await db().apiToken.create({
    data: { userId: actor.id, name: name.slice(0, 100), tokenHash: sha256(token), prefix: token.slice(0, 8) },
  });
  return token;
}

/** The token's user; unknown or revoked tokens count against `clientAddress` (429 while it must wait). */
export async function actorForToken(token: string, clientAddress: string = UNKNOWN_ADDRESS): Promise<Actor | null> {
  const attempt = signInGuard().admitToken(clientAddress);
  if (!attempt.ok) throw tooManyFailures(attempt.retryAfterSec, "API token checks from this address");
  if (!token.startsWith("mrn_") || token.length > 200) return null;
  const row = await db().apiToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  if (!row || row.revokedAt) return null;
  attempt.succeeded();
  await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return toActor(row.user);
}

export async function listTokens(actor: Actor) {
  return db().apiToken.findMany({
    where: { userId: actor.id },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeToken(actor: Actor, id: string) {
  const res = await db().apiToken.updateMany({
    where: { id, userId: actor.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (res.count === 0) throw new ServiceError(404, "not_found", "Token not found");
}
