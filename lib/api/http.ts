import { NextResponse } from "next/server";
import type { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { currentActor } from "@/lib/auth/session";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";

export function apiError(
  status: number,
  code: string,
  message: string,
  lines?: string[],
  details?: Record<string, unknown>,
) {
  return NextResponse.json({ error: { code, message, ...(lines?.length ? { lines } : {}), ...details } }, { status });
}

/** Parses a JSON body against a schema: malformed JSON and wrong types become a 400 with the first reason. */
export async function readJson<S extends z.ZodType = z.ZodUnknown>(request: Request, schema?: S): Promise<z.infer<S>> {
  const text = await request.text();
  if (text.length > 2 * 1024 * 1024) throw new ServiceError(413, "too_large", "Request body is larger than 2 MB");
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new ServiceError(400, "invalid_json", "Request body is not valid JSON");
  }
  // Environment-scoped routes validate in the service, after ownership: a stranger learns nothing from a 400.
  return schema ? parseInput(schema, body) : (body as z.infer<S>);
}

/**
 * Every API route goes through here: authentication (Bearer token or session), a same-origin check for
 * cookie-authenticated writes (CSRF), and errors turned into `{error: {code, message}}`.
 */
export async function withActor(request: Request, handler: (actor: Actor) => Promise<Response>): Promise<Response> {
  try {
    const actor = await currentActor(request);
    if (!actor) return apiError(401, "unauthorized", "Sign in or send a valid Bearer token");
    if (!request.headers.get("authorization") && !["GET", "HEAD"].includes(request.method) && !sameOrigin(request)) {
      return apiError(403, "cross_origin", "Cross-origin request refused");
    }
    return await handler(actor);
  } catch (e) {
    return errorResponse(e);
  }
}

export function errorResponse(e: unknown): Response {
  if (e instanceof ServiceError) return apiError(e.status, e.code, e.message, e.lines, e.details);
  console.error(e);
  return apiError(500, "internal", (e as Error).message ?? "Internal error");
}

function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return request.headers.get("sec-fetch-site") !== "cross-site";
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
