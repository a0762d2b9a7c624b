import { db } from "@/lib/db/client";
import { forgetLooks } from "@/lib/topology/observed";
import { RuntimeError } from "@/lib/runtime/driver";
import { ServiceError } from "@/lib/errors";

export interface OperationStep {
  name: string;
  at: string;
}

export interface OperationMeta {
  userId: string | null;
  action: string;
  environmentId?: string | null;
  target: string;
  /** Must never contain secrets: it is the audit trail. */
  params?: Record<string, unknown>;
}

/** Audit parameters never carry secrets, whatever a caller passes. */
export function redact(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      /pass|secret|token|key/i.test(k)
        ? "[redacted]"
        : v && typeof v === "object" && !Array.isArray(v)
          ? redact(v as Record<string, unknown>)
          : v,
    ]),
  );
}

export async function startOperation(meta: OperationMeta): Promise<string> {
  const op = await db().operation.create({
    data: {
      userId: meta.userId,
      action: meta.action,
      environmentId: meta.environmentId ?? null,
      target: meta.target,
      params: meta.params ? JSON.stringify(redact(meta.params)) : null,
    },
  });
  return op.id;
}

export async function recordStep(operationId: string, name: string): Promise<void> {
  const op = await db().operation.findUnique({ where: { id: operationId }, select: { steps: true } });
  if (!op) return;
  const steps = JSON.parse(op.steps) as OperationStep[];
  steps.push({ name, at: new Date().toISOString() });
  await db().operation.update({ where: { id: operationId }, data: { steps: JSON.stringify(steps) } });
}

/** A step that updates itself (a byte counter): replaces the last step when that one starts with `prefix`. */
export async function recordProgress(operationId: string, prefix: string, name: string): Promise<void> {
  const op = await db().operation.findUnique({ where: { id: operationId }, select: { steps: true } });
  if (!op) return;
  const steps = JSON.parse(op.steps) as OperationStep[];
  if (steps.at(-1)?.name.startsWith(prefix)) steps.pop();
  steps.push({ name, at: new Date().toISOString() });
  await db().operation.update({ where: { id: operationId }, data: { steps: JSON.stringify(steps) } });
}

export function errorLinesOf(e: unknown): string[] {
  if (e instanceof RuntimeError) return e.serverLines;
  if (e instanceof ServiceError) return e.lines;
  return [];
}

export async function finishOperation(operationId: string, error?: unknown): Promise<void> {
  const op = await db().operation.update({
    where: { id: operationId },
    data: {
      status: error ? "failed" : "succeeded",
      error: error ? (error as Error).message : null,
      errorLines: error && errorLinesOf(error).length ? JSON.stringify(errorLinesOf(error)) : null,
      finishedAt: new Date(),
    },
    select: { userId: true, environmentId: true },
  });
  // Whatever it changed, views read that owner's servers again rather than show what they were before.
  const env = op.environmentId
    ? await db().environment.findUnique({ where: { id: op.environmentId }, select: { ownerId: true } })
    : null;
  const ownerId = env?.ownerId ?? op.userId;
  if (ownerId) forgetLooks(ownerId);
}

type Work<T> = (step: (name: string) => Promise<void>) => Promise<T>;

/** The one runner: `work` as the body of operation `operationId`, every step recorded, the end (and error lines) too. */
export async function continueOperation<T>(operationId: string, work: Work<T>): Promise<T> {
  try {
    const result = await work((name) => recordStep(operationId, name));
    await finishOperation(operationId);
    return result;
  } catch (e) {
    await finishOperation(operationId, e);
    throw e;
  }
}

/** Starts an audited operation in the background: returns its id at once (for live progress) and its outcome. */
export async function beginOperation<T>(
  meta: OperationMeta,
  work: Work<T>,
): Promise<{ operationId: string; done: Promise<T> }> {
  const operationId = await startOperation(meta);
  const done = continueOperation(operationId, work);
  done.catch(() => undefined); // UI callers follow the operation instead of awaiting
  return { operationId, done };
}

/** An audited operation the caller waits for. */
export async function runOperation<T>(meta: OperationMeta, work: Work<T>): Promise<T> {
  return (await beginOperation(meta, work)).done;
}

export async function getOperation(id: string) {
  const op = await db().operation.findUnique({ where: { id } });
  if (!op) return null;
  return {
    id: op.id,
    userId: op.userId,
    action: op.action,
    target: op.target,
    status: op.status,
    steps: JSON.parse(op.steps) as OperationStep[],
    error: op.error,
    errorLines: op.errorLines ? (JSON.parse(op.errorLines) as string[]) : [],
    startedAt: op.startedAt.toISOString(),
    finishedAt: op.finishedAt?.toISOString() ?? null,
  };
}

export const auditFilters = {
  action: (v: string) => v.slice(0, 60),
  environment: (v: string) => v.slice(0, 60),
  status: (v: string) => (["running", "succeeded", "failed"].includes(v) ? v : ""),
};

/**
 * The audit trail the actor may see, newest first, optionally filtered: admins see everything; a user sees
 * what they did and everything that happened to their environments (automatic restarts and failovers too).
 */
export async function listOperations(
  actor: { id: string; role: string },
  filter: { action?: string; environment?: string; status?: string; environmentId?: string },
  take = 200,
) {
  const owned =
    actor.role === "admin"
      ? []
      : (await db().environment.findMany({ where: { ownerId: actor.id }, select: { id: true } })).map((e) => e.id);
  const rows = await db().operation.findMany({
    where: {
      ...(actor.role === "admin" ? {} : { OR: [{ userId: actor.id }, { environmentId: { in: owned } }] }),
      ...(filter.action ? { action: { startsWith: filter.action } } : {}),
      ...(filter.environment ? { target: filter.environment } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.environmentId ? { environmentId: filter.environmentId } : {}),
    },
    include: { user: { select: { email: true } } },
    orderBy: { startedAt: "desc" },
    take,
  });
  return rows.map((op) => ({
    id: op.id,
    who: op.user?.email ?? "mariner",
    action: op.action,
    target: op.target,
    params: op.params,
    status: op.status,
    error: op.error,
    startedAt: op.startedAt.toISOString(),
    durationMs: op.finishedAt ? op.finishedAt.getTime() - op.startedAt.getTime() : null,
  }));
}
