/** An error meant for the user: HTTP status, stable code, plain-words message, and the server's own lines. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly lines: string[] = [],
    /** Structured extras for API clients (e.g. the offending my.cnf lines). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export const notFound = (what: string) => new ServiceError(404, "not_found", `${what} not found`);

/** An edit built from an older revision than the stored one: refused (409) with who changed it and when. */
export function staleEdit(
  what: string,
  changedBy: string | null,
  changedAt: Date | null,
  details: Record<string, unknown>,
) {
  const when = changedAt ? ` at ${changedAt.toISOString().replace("T", " ").slice(0, 19)} UTC` : "";
  return new ServiceError(
    409,
    "stale_revision",
    `${what} was changed by ${changedBy ?? "someone else"}${when} since you opened it; nothing was applied`,
    [],
    details,
  );
}
