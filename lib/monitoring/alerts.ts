import { explainSemiSync } from "@/lib/mariadb/semisync";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { getEnvironment, listEnvironments } from "@/lib/environments/service";
import { notFound, ServiceError } from "@/lib/errors";
import { checkWebhookTarget, deliverWebhook, WebhookRefused } from "@/lib/net/webhook";
import type { Topology } from "@/lib/topology/discover";
import { parseInput } from "@/lib/validation";

export const ALERT_KINDS = [
  "node-down",
  "thread-stopped",
  "replication-error",
  "lag",
  "backup-verification",
  "semi-sync",
  "galera",
] as const;

export const ruleInput = z.strictObject({
  kind: z.enum(ALERT_KINDS, { error: `kind must be one of: ${ALERT_KINDS.join(", ")}` }),
  thresholdSec: z.number().int().min(1).max(86_400).optional(),
  forSec: z.number().int().min(0).max(86_400).default(0),
  webhookUrl: z
    .string()
    .max(500)
    .url("Webhook must be a URL")
    .refine((u) => /^https?:\/\//i.test(u), "Webhook must be http(s)")
    .optional(),
});

/** Where the webhook would connect must be acceptable now; checked on save and again before every send. */
async function assertWebhookAllowed(url: string | undefined) {
  if (!url) return;
  try {
    await checkWebhookTarget(url);
  } catch (e) {
    if (e instanceof WebhookRefused) throw new ServiceError(422, "webhook_refused", e.message);
    throw e;
  }
}

export async function addRule(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(ruleInput, raw);
  await assertWebhookAllowed(input.webhookUrl);
  return db().alertRule.create({
    data: {
      environmentId: env.id,
      kind: input.kind,
      thresholdSec: input.kind === "lag" ? (input.thresholdSec ?? 30) : null,
      forSec: input.forSec,
      webhookUrl: input.webhookUrl ?? null,
    },
  });
}

export async function deleteRule(actor: Actor, id: string) {
  const rule = await db().alertRule.findUnique({ where: { id } });
  const envs = await listEnvironments(actor);
  if (!rule || !envs.some((e) => e.id === rule.environmentId)) throw notFound("Alert rule");
  await db().alertRule.delete({ where: { id } });
  lastDeliveries.delete(id);
}

export async function listAlerts(actor: Actor) {
  const envs = await listEnvironments(actor);
  const ids = envs.map((e) => e.id);
  const name = (id: string) => envs.find((e) => e.id === id)?.name ?? "?";
  const [rules, alerts] = await Promise.all([
    db().alertRule.findMany({ where: { environmentId: { in: ids } }, orderBy: { createdAt: "asc" } }),
    db().alert.findMany({
      where: { environmentId: { in: ids } },
      orderBy: { firedAt: "desc" },
      take: 200,
      include: { rule: true },
    }),
  ]);
  return {
    rules: rules.map((r) => ({
      ...r,
      environment: name(r.environmentId),
      lastWebhookDelivery: lastDeliveries.get(r.id) ?? null,
    })),
    alerts: alerts.map((a) => ({
      id: a.id,
      environment: name(a.environmentId),
      kind: a.rule.kind,
      message: a.message,
      firedAt: a.firedAt.toISOString(),
      clearedAt: a.clearedAt?.toISOString() ?? null,
    })),
  };
}

export async function openAlertCount(actor: Actor) {
  const envs = await listEnvironments(actor);
  return db().alert.count({ where: { environmentId: { in: envs.map((e) => e.id) }, clearedAt: null } });
}

/** The condition a rule watches, or null when all is well. */
function condition(
  kind: string,
  thresholdSec: number | null,
  envName: string,
  topology: Topology,
  failedVerification: string | undefined,
): string | null {
  // Backups: the latest test restore failed (clears when a later one passes).
  if (kind === "backup-verification") return failedVerification ? `${envName}: ${failedVerification}` : null;
  const node = topology.nodes.find((n) => n.name === envName);
  if (!node) return null;
  // A multi-source slave has one edge per source: any of them in trouble fires the rule.
  const edges = topology.edges.filter((e) => e.to === envName);
  const label = (e: (typeof edges)[number]) => (e.connection ? `${envName} ('${e.connection}')` : envName);
  switch (kind) {
    case "node-down":
      return node.facts || node.status === "stopped" ? null : `${envName} is down (${node.status})`;
    case "thread-stopped": {
      const e = edges.find((x) => !x.ioRunning || !x.sqlRunning);
      return e
        ? `${label(e)}: replication threads IO ${e.ioRunning ? "Yes" : "No"}, SQL ${e.sqlRunning ? "Yes" : "No"}`
        : null;
    }
    case "replication-error": {
      const e = edges.find((x) => x.health.lastIoError || x.health.lastSqlError);
      return e ? `${label(e)}: ${e.health.lastIoError ?? e.health.lastSqlError}` : null;
    }
    case "semi-sync": {
      const s = node.facts?.semiSync;
      const seen = s?.masterEnabled ? explainSemiSync(s) : null;
      return seen?.state === "fallen-back" ? `${envName}: semi-sync fell back to asynchronous (${seen.detail})` : null;
    }
    case "galera": {
      // A member that answers but is not Synced in a primary component (a dead one is node-down's).
      const w = node.facts?.galera;
      return w && (w.state !== "Synced" || w.clusterStatus !== "Primary")
        ? `${envName}: Galera node is ${w.state} (${w.clusterStatus}, cluster size ${w.clusterSize})`
        : null;
    }
    case "lag": {
      const e = edges.find((x) => x.secondsBehind !== null && x.secondsBehind > (thresholdSec ?? 30));
      return e ? `${label(e)} is ${e.secondsBehind} s behind (limit ${thresholdSec} s)` : null;
    }
  }
  return null;
}

const g = globalThis as unknown as {
  marinerAlertSince?: Map<string, number>;
  marinerWebhookDeliveries?: Map<string, WebhookDelivery>;
};
const since = (g.marinerAlertSince ??= new Map<string, number>());

export interface WebhookDelivery {
  at: string;
  event: string;
  ok: boolean;
  detail: string;
}
/** The latest webhook outcome per rule (one entry per rule, removed with it), shown with the rules. */
const lastDeliveries = (g.marinerWebhookDeliveries ??= new Map<string, WebhookDelivery>());

async function notify(
  ruleId: string,
  url: string | null,
  payload: { event: string; environment: string } & Record<string, unknown>,
) {
  if (!url) return;
  // deliverWebhook re-checks the address first: a rule saved earlier cannot reach what is refused today.
  const result = await deliverWebhook(url, payload);
  lastDeliveries.set(ruleId, {
    at: new Date().toISOString(),
    event: payload.event,
    ok: result.ok,
    detail: result.detail,
  });
  if (!result.ok)
    console.warn(`Mariner: webhook ${payload.event} for ${payload.environment} not delivered: ${result.detail}`);
}

/** Per environment, the latest test restore's verdict when it failed. */
async function latestFailedVerifications(environmentIds: string[]) {
  const out = new Map<string, string>();
  for (const environmentId of new Set(environmentIds)) {
    const latest = await db().backup.findFirst({
      where: { environmentId, verifiedAt: { not: null } },
      orderBy: { verifiedAt: "desc" },
    });
    if (latest?.verification?.startsWith("FAILED"))
      out.set(environmentId, `backup test restore ${latest.verification}`);
  }
  return out;
}

/** One evaluation of every rule of one owner: fires after `forSec` of continuous trouble, clears by itself. */
export async function evaluateAlerts(ownerId: string, topology: Topology, now = Date.now()) {
  const envs = await db().environment.findMany({ where: { ownerId }, select: { id: true, name: true } });
  const rules = await db().alertRule.findMany({
    where: { environmentId: { in: envs.map((e) => e.id) } },
    include: { alerts: { where: { clearedAt: null } } },
  });
  const failedVerifications = await latestFailedVerifications(
    rules.filter((r) => r.kind === "backup-verification").map((r) => r.environmentId),
  );
  for (const rule of rules) {
    const envName = envs.find((e) => e.id === rule.environmentId)!.name;
    const problem = condition(
      rule.kind,
      rule.thresholdSec,
      envName,
      topology,
      failedVerifications.get(rule.environmentId),
    );
    const open = rule.alerts[0];
    if (problem) {
      const first = since.get(rule.id) ?? now;
      since.set(rule.id, first);
      if (!open && now - first >= rule.forSec * 1000) {
        const alert = await db().alert.create({
          data: { ruleId: rule.id, environmentId: rule.environmentId, message: problem },
        });
        void notify(rule.id, rule.webhookUrl, {
          event: "alert.fired",
          environment: envName,
          kind: rule.kind,
          message: problem,
          firedAt: alert.firedAt.toISOString(),
        });
      }
    } else {
      since.delete(rule.id);
      if (open) {
        const cleared = await db().alert.update({ where: { id: open.id }, data: { clearedAt: new Date() } });
        void notify(rule.id, rule.webhookUrl, {
          event: "alert.cleared",
          environment: envName,
          kind: rule.kind,
          message: open.message,
          clearedAt: cleared.clearedAt!.toISOString(),
        });
      }
    }
  }
}
