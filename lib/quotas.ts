import { z } from "zod";
import type { User } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/errors";
import { runOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { isAdmin, type Actor } from "@/lib/auth/actor";

/**
 * Per-user quotas: how many environments a user may own and how much memory their servers may be given in total.
 * A user's own limit (set by an admin) wins; null means the site default, so an operator can move everyone who
 * was never given a limit by changing one environment variable. Admins run the machine and have no quota.
 */
const BUILT_IN_DEFAULTS = { environments: 20, memoryMb: 8192 };

const warned = new Set<string>();
function limitFromEnv(variable: string, fallback: number): number {
  const raw = process.env[variable]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0) return n;
  // A typo must not stop every create, but it must not go unnoticed either.
  if (!warned.has(variable)) console.warn(`Mariner: ${variable}=${raw} is not a whole number ≥ 0; using ${fallback}`);
  warned.add(variable);
  return fallback;
}

export function defaultLimits() {
  return {
    environments: limitFromEnv("MARINER_QUOTA_ENVIRONMENTS", BUILT_IN_DEFAULTS.environments),
    memoryMb: limitFromEnv("MARINER_QUOTA_MEMORY_MB", BUILT_IN_DEFAULTS.memoryMb),
  };
}

export interface Usage {
  environments: number;
  memoryMb: number;
}

/** What an owner has and may have; `limit` null = no quota (admins), `isDefault` = the site default applies. */
export interface Quota {
  unlimited: boolean;
  environments: { used: number; limit: number | null; isDefault: boolean };
  memoryMb: { used: number; limit: number | null; isDefault: boolean };
}

type QuotaUser = Pick<User, "role" | "maxEnvironments" | "maxMemoryMb">;

function quotaOf(user: QuotaUser, used: Usage): Quota {
  if (user.role === "admin") {
    return {
      unlimited: true,
      environments: { used: used.environments, limit: null, isDefault: false },
      memoryMb: { used: used.memoryMb, limit: null, isDefault: false },
    };
  }
  const defaults = defaultLimits();
  return {
    unlimited: false,
    environments: {
      used: used.environments,
      limit: user.maxEnvironments ?? defaults.environments,
      isDefault: user.maxEnvironments === null,
    },
    memoryMb: {
      used: used.memoryMb,
      limit: user.maxMemoryMb ?? defaults.memoryMb,
      isDefault: user.maxMemoryMb === null,
    },
  };
}

/** Every environment row counts, whatever its state: a creating or stopped server still holds its share. */
async function usageOf(ownerId: string): Promise<Usage> {
  const agg = await db().environment.aggregate({
    where: { ownerId },
    _count: { _all: true },
    _sum: { memoryMb: true },
  });
  return { environments: agg._count._all, memoryMb: agg._sum.memoryMb ?? 0 };
}

async function quotaOfUserId(userId: string): Promise<Quota> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { role: true, maxEnvironments: true, maxMemoryMb: true },
  });
  if (!user) throw notFound("User");
  return quotaOf(user, await usageOf(userId));
}

export const myQuota = (actor: Actor) => quotaOfUserId(actor.id);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "2 of 20 environments · 512 MB of 8192 MB" (what a user sees next to their environments). */
export function describeQuota(q: Quota): string {
  if (q.unlimited) return `${plural(q.environments.used, "environment")} · ${q.memoryMb.used} MB (no quota)`;
  return `${q.environments.used} of ${plural(q.environments.limit!, "environment")} · ${q.memoryMb.used} MB of ${q.memoryMb.limit} MB`;
}

/**
 * Refuses (403 quota_exceeded) when `want` more environments with `want.memoryMb` in total would not fit.
 * Callers that create must hold the lock their insert runs under, or two creates could both fit the last slot.
 */
export async function assertQuotaAllows(actor: Actor, want: Usage): Promise<void> {
  const q = await quotaOfUserId(actor.id);
  if (q.unlimited) return;
  const envLimit = q.environments.limit!;
  const memLimit = q.memoryMb.limit!;
  const problems: string[] = [];
  if (q.environments.used + want.environments > envLimit) {
    const more = want.environments > 1 ? `; this needs ${want.environments} more` : "";
    problems.push(`Your quota allows ${plural(envLimit, "environment")} (${q.environments.used} in use${more})`);
  }
  if (q.memoryMb.used + want.memoryMb > memLimit) {
    const needs = want.environments > 1 ? `these ${want.environments} environments need` : "this environment needs";
    problems.push(
      `${problems.length ? "and" : "Your quota allows"} ${memLimit} MB of memory (${q.memoryMb.used} MB in use); ${needs} ${want.memoryMb} MB`,
    );
  }
  if (!problems.length) return;
  throw new ServiceError(
    403,
    "quota_exceeded",
    `${problems.join(" ")}. Ask an admin to raise it, or delete an environment you no longer need.`,
    [],
    { quota: q },
  );
}

// ---- Admin: see and set limits ----

const limit = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a whole number (or null for the default)` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} cannot be negative`)
    .max(max, `${what} must be at most ${max}`)
    .nullable();

/** null puts the user back on the site default. Lowering below what is in use is allowed: nothing is stopped, new creates are refused. */
export const userLimitsInput = z
  .strictObject({
    maxEnvironments: limit("Environment limit", 1000).optional(),
    maxMemoryMb: limit("Memory limit", 1_048_576).optional(),
  })
  .refine(
    (v) => v.maxEnvironments !== undefined || v.maxMemoryMb !== undefined,
    "Give maxEnvironments and/or maxMemoryMb",
  );

function requireAdmin(actor: Actor) {
  if (!isAdmin(actor)) throw new ServiceError(403, "forbidden", "Only an admin can see or change quotas");
}

const userFields = {
  id: true,
  email: true,
  role: true,
  createdAt: true,
  maxEnvironments: true,
  maxMemoryMb: true,
} as const;
type UserRow = Pick<User, keyof typeof userFields>;

function withQuota({ maxEnvironments, maxMemoryMb, ...user }: UserRow, used: Usage) {
  return { ...user, quota: quotaOf({ role: user.role, maxEnvironments, maxMemoryMb }, used) };
}
export type UserWithQuota = ReturnType<typeof withQuota>;

export async function listUsersWithQuotas(actor: Actor): Promise<UserWithQuota[]> {
  requireAdmin(actor);
  const [users, usage] = await Promise.all([
    db().user.findMany({ select: userFields, orderBy: { createdAt: "asc" } }),
    db().environment.groupBy({ by: ["ownerId"], _count: { _all: true }, _sum: { memoryMb: true } }),
  ]);
  const byOwner = new Map(
    usage.map((u) => [u.ownerId, { environments: u._count._all, memoryMb: u._sum.memoryMb ?? 0 }]),
  );
  return users.map((u) => withQuota(u, byOwner.get(u.id) ?? { environments: 0, memoryMb: 0 }));
}

export async function getUserWithQuota(actor: Actor, userId: string): Promise<UserWithQuota> {
  requireAdmin(actor);
  const user = await db().user.findUnique({ where: { id: userId }, select: userFields });
  if (!user) throw notFound("User");
  return withQuota(user, await usageOf(user.id));
}

export async function setUserLimits(actor: Actor, userId: string, raw: unknown): Promise<UserWithQuota> {
  requireAdmin(actor);
  const input = parseInput(userLimitsInput, raw);
  const user = await db().user.findUnique({ where: { id: userId }, select: { email: true } });
  if (!user) throw notFound("User");
  await runOperation({ userId: actor.id, action: "user.limits", target: user.email, params: input }, async () => {
    await db().user.update({ where: { id: userId }, data: input });
  });
  return getUserWithQuota(actor, userId);
}
