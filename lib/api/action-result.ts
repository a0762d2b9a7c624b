import { ServiceError } from "@/lib/errors";

/** A refusal as a page shows it: the plain-words message, the server's own lines, the stable code, API details. */
export interface ActionFailure {
  ok: false;
  error: string;
  code: string;
  lines: string[];
  details?: Record<string, unknown>;
}

export type ActionResult<T extends object = object> = ({ ok: true } & T) | ActionFailure;

export const actionFailure = (e: ServiceError): ActionFailure => ({
  ok: false,
  error: e.message,
  code: e.code,
  lines: e.lines,
  ...(e.details ? { details: e.details } : {}),
});

/**
 * The one error path of server actions (as lib/api/http.ts is for routes): a ServiceError becomes a failure the
 * page shows; anything else is a bug and is rethrown, so Next logs it and shows the error boundary instead of a
 * vague message.
 */
export async function actionResult<T extends object>(work: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (e) {
    if (e instanceof ServiceError) return actionFailure(e);
    throw e;
  }
}
