// Tests wait on conditions, never on the clock: this machine has 2 noisy cores, so a bound is only a guard
// against hanging forever (generous), and how long something took is printed for the bench, not asserted.

export interface WaitOptions {
  /** What is awaited, for the failure message ("prod's restore to reach its safety backup"). */
  what: string;
  /** Give up after this long (default 30 s): a guard against a hang, not a performance claim. */
  timeoutMs?: number;
  everyMs?: number;
}

/**
 * Polls `probe` until it returns a truthy value and returns that value with how long it took. A probe that
 * throws counts as "not yet"; on timeout the error names `what`, the last value and the last error.
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  { what, timeoutMs = 30_000, everyMs = 50 }: WaitOptions,
): Promise<{ value: NonNullable<T>; ms: number }> {
  const t0 = Date.now();
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return { value: last as NonNullable<T>, ms: Date.now() - t0 };
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - t0 > timeoutMs) {
      const why = lastError ? `; last error: ${(lastError as Error).message ?? String(lastError)}` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)}${why})`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
