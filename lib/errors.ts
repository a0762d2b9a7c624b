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
