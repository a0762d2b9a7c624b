/**
 * Where to go after signing in: only somewhere inside the console. The target is resolved the way a browser
 * would resolve it against the console's URL, and kept only if the origins match; "//evil", "/\evil",
 * "/%5Cevil" (decoded by the query string), "https://evil" and "javascript:" all resolve elsewhere.
 */
export const DEFAULT_AFTER_SIGN_IN = "/environments";

/** The path (+ query + hash) `raw` points to when it stays on `consoleUrl`'s origin, else null. */
export function pathWithinConsole(raw: unknown, consoleUrl: string): string | null {
  if (typeof raw !== "string" || raw === "" || raw.length > 2000) return null;
  let base: URL;
  let target: URL;
  try {
    base = new URL(consoleUrl);
    target = new URL(raw, base);
  } catch {
    return null;
  }
  if (target.origin !== base.origin || (target.protocol !== "http:" && target.protocol !== "https:")) return null;
  // "/.//evil" resolves to the path "//evil", which a browser would read as another host once it is a path again.
  if (target.pathname.startsWith("//")) return null;
  return `${target.pathname}${target.search}${target.hash}`;
}

/** For the sign-in page: a path inside the console, the default when `raw` leads anywhere else. */
export function afterSignInPath(raw: unknown, consoleUrl = process.env.NEXTAUTH_URL ?? "http://localhost"): string {
  return pathWithinConsole(raw, consoleUrl) ?? DEFAULT_AFTER_SIGN_IN;
}

/** next-auth `callbacks.redirect`: an absolute URL on the console's origin. */
export function consoleRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const path = pathWithinConsole(url, baseUrl);
  return new URL(path ?? DEFAULT_AFTER_SIGN_IN, baseUrl).href;
}
