import { z } from "zod";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { email, password } from "@/lib/names";
import { generatePassword, sha256 } from "@/lib/secrets";
import type { Actor } from "./actor";
import { hashPassword, verifyPassword } from "./password";

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

const g = globalThis as unknown as { marinerLoginFailures?: Map<string, number[]> };
const failures = (g.marinerLoginFailures ??= new Map<string, number[]>());
const WINDOW_MS = 5 * 60_000;
const MAX_FAILURES = 10;

/** Checks e-mail + password with a per-account failure limit (10 per 5 minutes). */
export async function authenticate(rawEmail: unknown, rawPassword: unknown): Promise<Actor | null> {
  const e = email.safeParse(rawEmail);
  if (!e.success || typeof rawPassword !== "string" || rawPassword.length > 200) return null;
  const now = Date.now();
  const recent = (failures.get(e.data) ?? []).filter((t) => now - t < WINDOW_MS);
  if (recent.length >= MAX_FAILURES) {
    throw new ServiceError(429, "rate_limited", "Too many failed sign-ins for this account; wait a few minutes");
  }
  const user = await db().user.findUnique({ where: { email: e.data } });
  const ok = await verifyPassword(rawPassword, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    failures.set(e.data, [...recent, now]);
    return null;
  }
  failures.delete(e.data);
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
  return db().user.findMany({ select: { id: true, email: true, role: true, createdAt: true }, orderBy: { createdAt: "asc" } });
}

/**
 * First start: create the admin from MARINER_ADMIN_EMAIL / MARINER_ADMIN_PASSWORD, or generate a password
 * and print it once. Does nothing when any user exists.
 */
export async function ensureAdmin(log: (line: string) => void = console.log): Promise<void> {
  if ((await db().user.count()) > 0) return;
  const adminEmail = email.parse(process.env.MARINER_ADMIN_EMAIL ?? "admin@mariner.local");
  const given = process.env.MARINER_ADMIN_PASSWORD;
  const pw = given ?? generatePassword(20);
  await db().user.create({ data: { email: adminEmail, role: "admin", passwordHash: await hashPassword(pw) } });
  log(`Mariner: created admin account ${adminEmail}`);
  if (!given) log(`Mariner: its generated password (shown once, store it now): ${pw}`);
}

// ---- API tokens ----

export async function issueToken(actor: Actor, name = "api") {
  const token = `mrn_${generatePassword(40)}`;
  await db().apiToken.create({ data: { userId: actor.id, name: name.slice(0, 100), tokenHash: sha256(token), prefix: token.slice(0, 8) } });
  return token;
}

export async function actorForToken(token: string): Promise<Actor | null> {
  if (!token.startsWith("mrn_") || token.length > 200) return null;
  const row = await db().apiToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  if (!row || row.revokedAt) return null;
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
  const res = await db().apiToken.updateMany({ where: { id, userId: actor.id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (res.count === 0) throw new ServiceError(404, "not_found", "Token not found");
}
