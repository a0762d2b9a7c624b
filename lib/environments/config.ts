import path from "node:path";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { parseInput } from "@/lib/validation";
import { locateServerError, MAX_MYCNF_BYTES, reviewConfig, type ConfigProblem } from "@/lib/mycnf/validate";
import { shippedPlugins } from "@/lib/mycnf/plugins";
import type { PolicyContext } from "@/lib/mycnf/policy";
import { judgeServerReading } from "@/lib/mycnf/server-reading";
import { parseMyCnf, normalizeKey } from "@/lib/mycnf/parse";
import { runOperation } from "@/lib/operations";
import { driverFor } from "@/lib/runtime";
import { RuntimeError } from "@/lib/runtime/driver";
import { getEnvironment, primaryNode } from "./service";
import { nodeRefOf } from "./spec";

export const saveConfigInput = z.strictObject({
  content: z.string({ error: "content must be the my.cnf text" }).max(MAX_MYCNF_BYTES * 2, `my.cnf is larger than ${MAX_MYCNF_BYTES / 1024} kB`),
});

export interface SaveResult {
  revisionId: string;
  content: string;
  notices: string[];
  warnings: string[];
  restarted: boolean;
}

export async function getConfig(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const node = primaryNode(env);
  const driver = driverFor(env.runtime);
  const content = await driver.readConfig(nodeRefOf(node));
  return { content, serverId: node.serverId };
}

export async function listRevisions(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return db().configRevision.findMany({ where: { environmentId: env.id }, orderBy: { createdAt: "desc" }, take: 100 });
}

export async function getRevision(actor: Actor, name: string, id: string) {
  const env = await getEnvironment(actor, name);
  const rev = await db().configRevision.findFirst({ where: { id, environmentId: env.id } });
  if (!rev) throw notFound("Revision");
  return rev;
}

function rejected(message: string, problems: ConfigProblem[], lines: string[] = []) {
  return new ServiceError(422, "invalid_config", message, lines, { problems });
}

/**
 * Save = review → validate with the real binary → write + restart; if the server then fails to start, the
 * previous my.cnf is restored and started again. Every attempt, even a rejected one, becomes a revision, so
 * the text is never lost. Serialized with every other operation on the environment.
 */
export interface SaveOptions {
  message?: string;
  /** false when the caller already changed the running server (SET GLOBAL) and only the file must follow. */
  restart?: boolean;
}

export async function saveConfig(actor: Actor, name: string, raw: unknown, { message, restart = true }: SaveOptions = {}): Promise<SaveResult> {
  const found = await getEnvironment(actor, name);
  const input = parseInput(saveConfigInput, raw);
  return withLock(found.id, () =>
    runOperation({ userId: actor.id, action: "config.save", environmentId: found.id, target: found.name }, async (step) => {
      const env = await getEnvironment(actor, name);
      if (env.status === "creating" || env.status === "deleting") throw new ServiceError(409, "busy", `Environment "${env.name}" is ${env.status}`);
      const node = primaryNode(env);
      const driver = driverFor(env.runtime);
      const ref = nodeRefOf(node);
      const note = (result: string, content: string, msg: string | null) =>
        db().configRevision.create({ data: { environmentId: env.id, content, author: actor.email, result, message: msg } });

      await step("reviewing");
      const managed = driver.managedOptions(ref);
      const policy: PolicyContext = { nodeDir: path.dirname(managed.datadir), shippedPlugins: shippedPlugins() };
      const review = reviewConfig(input.content, managed, node.serverId, policy);
      if (review.errors.length) {
        await note("rejected", input.content, review.errors.map(formatProblem).join("\n"));
        throw rejected("my.cnf was not applied: fix the lines below", review.errors);
      }
      if (review.serverId !== null && review.serverId !== node.serverId) {
        const clash = await db().node.findFirst({ where: { serverId: review.serverId }, include: { environment: true } });
        if (clash) {
          const owner = clash.environment.ownerId === actor.id ? `environment "${clash.environment.name}"` : "another environment";
          const problem = { message: `server-id ${review.serverId} is already used by ${owner}: every server in a replication topology needs its own` };
          await note("rejected", input.content, problem.message);
          throw rejected("my.cnf was not applied: duplicate server-id", [problem]);
        }
      }

      await step("validating with mariadbd");
      const check = await driver.validateConfig(ref, review.content);
      if (!check.ok) {
        const problems = check.lines.filter((l) => /ERROR|error|unknown/i.test(l)).map((l) => locateServerError(review.content, l));
        await note("rejected", review.content, check.lines.join("\n"));
        throw rejected("mariadbd refused this my.cnf; nothing was applied", problems.length ? problems : [{ message: check.lines.join(" ") }], check.lines);
      }
      const reading = judgeServerReading(check.help, check.notes, check.args, managed, policy);
      if (reading.length) {
        const problems = reading.map((p) => ({ line: p.option ? lineOf(review.content, p.option) : undefined, message: p.message }));
        await note("rejected", review.content, problems.map(formatProblem).join("\n"));
        throw rejected("mariadbd read this my.cnf in a way Mariner does not allow; nothing was applied", problems);
      }

      const previous = await driver.readConfig(ref);
      // Recorded before the file changes: if the console dies mid-apply, reconcile finishes or rolls it back.
      const pending = await note("pending", review.content, null);
      const settle = (result: string, msg: string | null) => db().configRevision.update({ where: { id: pending.id }, data: { result, message: msg } });
      await driver.writeConfig(ref, review.content);
      const running = env.desiredState === "running" && restart;
      if (running) {
        await step("restarting");
        try {
          const after = await driver.restart(ref);
          await db().node.update({ where: { id: node.id }, data: { pid: after.pid, startedAt: new Date() } });
        } catch (e) {
          const lines = e instanceof RuntimeError ? e.serverLines : [(e as Error).message];
          await step("restoring the previous my.cnf");
          await driver.writeConfig(ref, previous);
          const back = await driver.start(ref);
          await db().node.update({ where: { id: node.id }, data: { pid: back.pid, startedAt: new Date() } });
          await settle("rolled-back", lines.join("\n"));
          throw rejected(
            "The server did not start with this my.cnf. The previous configuration was restored and the server is running again.",
            lines.map((l) => locateServerError(review.content, l)),
            lines,
          );
        }
      }
      if (review.serverId !== null && review.serverId !== node.serverId) {
        await db().node.update({ where: { id: node.id }, data: { serverId: review.serverId } });
      }
      await settle("applied", message ?? ([...review.notices, ...review.warnings].join("\n") || null));
      return { revisionId: pending.id, content: review.content, notices: review.notices, warnings: review.warnings, restarted: running };
    }),
  );
}

export async function restoreRevision(actor: Actor, name: string, revisionId: string): Promise<SaveResult> {
  const rev = await getRevision(actor, name, revisionId);
  return saveConfig(actor, name, { content: rev.content }, { message: `Restored the revision of ${rev.createdAt.toISOString()}` });
}

/** The last line setting `option` (as written), the one mariadbd obeys. */
function lineOf(text: string, option: string): number | undefined {
  const key = normalizeKey(option);
  return [...parseMyCnf(text)].reverse().find((l) => l.kind === "option" && normalizeKey(l.key) === key)?.n;
}

export function formatProblem(p: ConfigProblem): string {
  return p.line ? `line ${p.line}: ${p.message}` : p.message;
}

/**
 * After a console crash in the middle of an apply: a "pending" revision's file is on disk but its fate unknown.
 * Start the server with it; if that fails, put the last applied my.cnf back. Either applied or rolled back.
 */
export async function resolvePendingRevisions(): Promise<void> {
  const pending = await db().configRevision.findMany({ where: { result: "pending" }, include: { environment: { include: { nodes: true } } } });
  for (const rev of pending) {
    const env = rev.environment;
    const node = env.nodes[0];
    if (!node) continue;
    await withLock(env.id, async () => {
      const driver = driverFor(env.runtime);
      const ref = nodeRefOf(node);
      const onDisk = await driver.readConfig(ref).catch(() => null);
      if (onDisk !== rev.content || env.desiredState !== "running") {
        await db().configRevision.update({ where: { id: rev.id }, data: { result: onDisk === rev.content ? "applied" : "rolled-back", message: "Resolved after a console restart" } });
        return;
      }
      try {
        const after = await driver.restart(ref);
        await db().node.update({ where: { id: node.id }, data: { pid: after.pid, startedAt: new Date() } });
        await db().configRevision.update({ where: { id: rev.id }, data: { result: "applied", message: "Applied after a console restart" } });
      } catch (e) {
        const lastGood = await db().configRevision.findFirst({ where: { environmentId: env.id, result: "applied" }, orderBy: { createdAt: "desc" } });
        if (lastGood) {
          await driver.writeConfig(ref, lastGood.content);
          const back = await driver.start(ref).catch(() => null);
          if (back) await db().node.update({ where: { id: node.id }, data: { pid: back.pid, startedAt: new Date() } });
        }
        const lines = e instanceof RuntimeError ? e.serverLines : [(e as Error).message];
        await db().configRevision.update({ where: { id: rev.id }, data: { result: "rolled-back", message: `Rolled back after a console restart:\n${lines.join("\n")}` } });
      }
    });
  }
}
