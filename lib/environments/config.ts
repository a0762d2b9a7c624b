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
import { galeraManagedOptions } from "@/lib/galera/members";
import { withManagedSst, withoutSst } from "@/lib/galera/settings";
import { RuntimeError } from "@/lib/runtime/driver";
import { currentRevision, getRevision, refuseIfStale } from "./config-revisions";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "./service";
import { nodeRefOf } from "./spec";

export { listRevisions } from "./config-revisions";

export const saveConfigInput = z.strictObject({
  content: z
    .string({ error: "content must be the my.cnf text" })
    .max(MAX_MYCNF_BYTES * 2, `my.cnf is larger than ${MAX_MYCNF_BYTES / 1024} kB`),
  /** The revision the edit started from (GET …/config → revision). A save on top of a newer one is refused (409). */
  baseRevision: z.string().max(64).optional(),
});

export interface SaveResult {
  revisionId: string;
  content: string;
  notices: string[];
  warnings: string[];
  restarted: boolean;
}

/** The file as the server reads it, with the revision an edit of it must name as its base. */
export async function getConfig(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  const node = primaryNode(env);
  const driver = driverFor(env.runtime);
  const [content, revision] = await Promise.all([driver.readConfig(nodeRefOf(node)), currentRevision(env.id)]);
  return { content, serverId: node.serverId, revision: revision?.id ?? null };
}

function rejected(message: string, problems: ConfigProblem[], lines: string[] = []) {
  return new ServiceError(422, "invalid_config", message, lines, { problems });
}

export interface SaveOptions {
  message?: string;
  /** false when the caller already changed the running server (SET GLOBAL) and only the file must follow. */
  restart?: boolean;
}

/** What to write: a text built from a known revision (a person's edit), or a change of whatever is current. */
type Change = ({ content: string } | { edit: (current: string) => string }) & { baseRevision?: string };

/**
 * Save = review → validate with the real binary → write + restart; if the server then fails to start, the
 * previous my.cnf is restored and started again. Every attempt, even a rejected or stale one, becomes a revision,
 * so the text is never lost. Serialized with every other operation on the environment.
 */
export async function saveConfig(
  actor: Actor,
  name: string,
  raw: unknown,
  options: SaveOptions = {},
): Promise<SaveResult> {
  const found = await getEnvironment(actor, name);
  const input = parseInput(saveConfigInput, raw);
  return (await apply(actor, found.id, name, input, options))!;
}

/**
 * The console's own read-modify-write of my.cnf (filters, TLS files, gtid-domain-id…): `edit` runs on the current
 * text inside the environment lock, so a concurrent save is never overwritten. Null when nothing changes.
 */
export async function editConfig(
  actor: Actor,
  name: string,
  edit: (current: string) => string,
  { baseRevision, ...options }: SaveOptions & { baseRevision?: string } = {},
): Promise<SaveResult | null> {
  const found = await getEnvironment(actor, name);
  return apply(actor, found.id, name, { edit, baseRevision }, options);
}

/**
 * A Galera member's my.cnf changed by lib/galera, which found the member through its cluster (never by name: an
 * admin may have an environment of the same name). `change` as for a save: new content, or an edit of the current.
 */
export function changeMemberConfig(
  actor: Actor,
  member: { id: string; name: string },
  change: { content: string } | { edit: (current: string) => string },
  options: SaveOptions = {},
): Promise<SaveResult | null> {
  return apply(actor, member.id, member.name, change, options);
}

function apply(
  actor: Actor,
  environmentId: string,
  name: string,
  change: Change,
  options: SaveOptions,
): Promise<SaveResult | null> {
  return withLock(environmentId, async () => {
    // By id: the caller resolved it as the actor may see it (by name, or as a member of a cluster it may see).
    const env = await db().environment.findUnique({ where: { id: environmentId }, include: { nodes: true } });
    if (!env) throw notFound(`Environment "${name}"`);
    if (env.status === "creating" || env.status === "deleting")
      throw new ServiceError(409, "busy", `Environment "${env.name}" is ${env.status}`);
    const previous = await driverFor(env.runtime).readConfig(nodeRefOf(primaryNode(env)));
    const content = "edit" in change ? change.edit(previous) : change.content;
    if ("edit" in change && content === previous) return null;
    if (change.baseRevision !== undefined) {
      await refuseIfStale(env.id, change.baseRevision).catch(async (e) => {
        await record(env.id, actor, "stale", content, "Not applied: it was built from an older revision");
        throw e;
      });
    }
    return runOperation({ userId: actor.id, action: "config.save", environmentId: env.id, target: env.name }, (step) =>
      applyLocked({ actor, env, content, previous, message: options.message, restart: options.restart ?? true }, step),
    );
  });
}

const record = (environmentId: string, actor: Actor, result: string, content: string, message: string | null) =>
  db().configRevision.create({ data: { environmentId, content, author: actor.email, result, message } });

interface ApplyContext {
  actor: Actor;
  env: EnvironmentWithNodes;
  content: string;
  previous: string;
  message?: string;
  restart: boolean;
}

async function applyLocked(
  { actor, env, content, previous, message, restart }: ApplyContext,
  step: (label: string) => Promise<void>,
): Promise<SaveResult> {
  const node = primaryNode(env);
  const driver = driverFor(env.runtime);
  const ref = nodeRefOf(node);
  const note = (result: string, text: string, msg: string | null) => record(env.id, actor, result, text, msg);

  await step("reviewing");
  // A Galera member's wsrep settings are the console's too: re-asserted like its wiring.
  const galera = await galeraManagedOptions(env);
  const managed = { ...driver.managedOptions(ref), ...galera };
  const policy: PolicyContext = {
    nodeDir: path.dirname(managed.datadir),
    tlsDir: path.dirname(driver.nodeFiles(ref).path("tls/ca.pem")),
    shippedPlugins: shippedPlugins(),
    alsoManaged: new Set(Object.keys(galera)),
    readByShell: Object.keys(galera).length > 0,
  };
  // Its [sst] group is the console's alone (the SST script runs its keys as commands): set aside, then re-written.
  const member = Object.keys(galera).length > 0;
  const review = reviewConfig(member ? withoutSst(content) : content, managed, node.serverId, policy);
  if (member) {
    review.content = withManagedSst(review.content, node.host);
    // A moved or changed [sst] group is said; the console's stays.
    if (withManagedSst(content, node.host).trimEnd() !== content.trimEnd())
      review.notices.push(
        "[sst] is managed by Mariner (state transfers on this node's own address): kept as it writes it",
      );
  }
  if (review.errors.length) {
    await note("rejected", content, review.errors.map(formatProblem).join("\n"));
    throw rejected("my.cnf was not applied: fix the lines below", review.errors);
  }
  if (review.serverId !== null && review.serverId !== node.serverId) {
    const clash = await db().node.findFirst({ where: { serverId: review.serverId }, include: { environment: true } });
    if (clash) {
      const owner =
        clash.environment.ownerId === actor.id ? `environment "${clash.environment.name}"` : "another environment";
      const problem = {
        message: `server-id ${review.serverId} is already used by ${owner}: every server in a replication topology needs its own`,
      };
      await note("rejected", content, problem.message);
      throw rejected("my.cnf was not applied: duplicate server-id", [problem]);
    }
  }

  await step("validating with mariadbd");
  const check = await driver.validateConfig(ref, review.content);
  if (!check.ok) {
    const problems = check.lines
      .filter((l) => /ERROR|error|unknown/i.test(l))
      .map((l) => locateServerError(review.content, l));
    await note("rejected", review.content, check.lines.join("\n"));
    throw rejected(
      "mariadbd refused this my.cnf; nothing was applied",
      problems.length ? problems : [{ message: check.lines.join(" ") }],
      check.lines,
    );
  }
  const reading = judgeServerReading(check.help, check.notes, check.args, managed, policy);
  if (reading.length) {
    const problems = reading.map((p) => ({
      line: p.option ? lineOf(review.content, p.option) : undefined,
      message: p.message,
    }));
    await note("rejected", review.content, problems.map(formatProblem).join("\n"));
    throw rejected("mariadbd read this my.cnf in a way Mariner does not allow; nothing was applied", problems);
  }

  // Recorded before the file changes: if the console dies mid-apply, reconcile finishes or rolls it back.
  const pending = await note("pending", review.content, null);
  const settle = (result: string, msg: string | null) =>
    db().configRevision.update({ where: { id: pending.id }, data: { result, message: msg } });
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
      // A Galera member comes back from its own position (IST), as after any crash.
      const back = await (env.galeraClusterId && driver.galera ? driver.galera.rejoin(ref) : driver.start(ref));
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
  return {
    revisionId: pending.id,
    content: review.content,
    notices: review.notices,
    warnings: review.warnings,
    restarted: running,
  };
}

/** Puts an earlier text back; `baseRevision` as for a save (what the person saw when they chose to restore). */
export async function restoreRevision(
  actor: Actor,
  name: string,
  revisionId: string,
  baseRevision?: string,
): Promise<SaveResult> {
  const rev = await getRevision(actor, name, revisionId);
  return saveConfig(
    actor,
    name,
    { content: rev.content, baseRevision },
    { message: `Restored the revision of ${rev.createdAt.toISOString()}` },
  );
}

/** The last line setting `option` (as written), the one mariadbd obeys. */
function lineOf(text: string, option: string): number | undefined {
  const key = normalizeKey(option);
  return [...parseMyCnf(text)].reverse().find((l) => l.kind === "option" && normalizeKey(l.key) === key)?.n;
}

export function formatProblem(p: ConfigProblem): string {
  return p.line ? `line ${p.line}: ${p.message}` : p.message;
}
