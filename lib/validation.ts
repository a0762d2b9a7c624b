import type { z } from "zod";
import { ServiceError } from "./errors";

/** Validates input against a schema; the first problem becomes a 400 with its field path and plain message. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new ServiceError(400, "invalid_request", `${where}${issue?.message ?? "Invalid request"}`);
}
