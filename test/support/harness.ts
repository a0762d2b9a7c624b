import type { Actor } from "../../lib/auth/actor";

/** The first admin (created from MARINER_ADMIN_PASSWORD); lib modules load lazily, after useTempDataDir. */
export async function adminActor(): Promise<Actor> {
  process.env.MARINER_ADMIN_PASSWORD ??= "admin-password";
  const { ensureAdmin } = await import("../../lib/auth/users");
  const { db } = await import("../../lib/db/client");
  await ensureAdmin(() => {});
  const u = await db().user.findFirstOrThrow();
  return { id: u.id, email: u.email, role: "admin" };
}

/** Polls `probe` until `ok` (a failing probe counts as not yet); returns the last value, even after the timeout. */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000, everyMs = 50): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => undefined as T);
    if ((v !== undefined && ok(v)) || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
