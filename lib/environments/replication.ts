import crypto from "node:crypto";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { explainSlave } from "@/lib/mariadb/health";
import * as repl from "@/lib/mariadb/replication";
import { listDatabases } from "@/lib/mariadb/sql";
import { setServerOptions } from "@/lib/mycnf/parse";
import { runOperation } from "@/lib/operations";
import { environmentName } from "@/lib/names";
import { getConfig, saveConfig } from "./config";
import { asRoot, openRoot } from "./root";
import { getEnvironment, listEnvironments, primaryNode, type EnvironmentWithNodes } from "./service";

export async function replicationStatus(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return asRoot(env, async (c) => {
    const [master, slave, users, anonymous] = await Promise.all([repl.masterStatus(c), repl.slaveStatus(c), repl.listReplicationUsers(c), repl.anonymousUsers(c)]);
    return { master, slave, health: explainSlave(slave), replicationUsers: users, anonymousUsers: anonymous };
  });
}

export const addUserInput = z.strictObject({
  user: repl.replicationUserName,
  password: repl.replicationPassword,
  host: repl.hostPattern.optional(),
});

export async function addReplicationUser(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(addUserInput, raw);
  const host = input.host ?? "%";
  await runOperation({ userId: actor.id, action: "replication.add-user", environmentId: env.id, target: env.name, params: { user: input.user, host } }, () =>
    asRoot(env, async (c) => {
      try {
        await repl.createReplicationUser(c, input.user, input.password, host);
      } catch (e) {
        if ((e as { code?: string }).code === "USER_EXISTS") throw new ServiceError(409, "user_exists", (e as Error).message);
        throw e;
      }
    }),
  );
  return { user: input.user, host };
}

export const dropUserInput = z.strictObject({ user: repl.replicationUserName, host: repl.hostPattern });

export async function dropReplicationUser(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(dropUserInput, raw);
  await runOperation({ userId: actor.id, action: "replication.drop-user", environmentId: env.id, target: env.name, params: input }, () =>
    asRoot(env, async (c) => {
      if (!(await repl.dropReplicationUser(c, input.user, input.host))) throw new ServiceError(404, "not_found", `Replication user '${input.user}'@'${input.host}' not found`);
    }),
  );
}

export const configureMasterInput = z
  .strictObject({
    masterEnvironment: environmentName.optional(),
    host: repl.masterHost.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    user: repl.replicationUserName,
    password: repl.replicationPassword,
    mode: z.enum(["gtid", "binlog"]).default("gtid"),
    logFile: repl.binlogFile.optional(),
    logPos: z.number().int().min(4).optional(),
  })
  .refine((v) => v.masterEnvironment || (v.host && v.port), { message: "Pick a master environment or give host and port" })
  .refine((v) => v.mode === "gtid" || (v.logFile && v.logPos), { message: "Binlog mode needs a log file and position" });

export async function configureMaster(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(configureMasterInput, raw);
  let host = input.host!;
  let port = input.port!;
  if (input.masterEnvironment) {
    if (input.masterEnvironment === env.name) throw new ServiceError(400, "invalid_request", "An environment cannot be its own master");
    const master = primaryNode(await getEnvironment(actor, input.masterEnvironment));
    host = master.host;
    port = master.port;
  }
  const node = primaryNode(env);
  if (host === node.host && port === node.port) throw new ServiceError(400, "invalid_request", "An environment cannot be its own master");
  await runOperation(
    {
      userId: actor.id,
      action: "replication.configure-master",
      environmentId: env.id,
      target: env.name,
      params: { masterEnvironment: input.masterEnvironment, host, port, user: input.user, mode: input.mode, logFile: input.logFile, logPos: input.logPos },
    },
    () => asRoot(env, (c) => repl.changeMaster(c, { host, port, user: input.user, password: input.password, mode: input.mode, logFile: input.logFile, logPos: input.logPos })),
  );
  return { host, port };
}

export const controlInput = z.strictObject({
  action: z.enum(repl.CONTROL_ACTIONS, { error: `action must be one of: ${repl.CONTROL_ACTIONS.join(", ")}` }),
  count: z.number().int().min(1).max(1_000_000).optional(),
});

export async function controlSlave(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(controlInput, raw);
  await runOperation({ userId: actor.id, action: `replication.${input.action}`, environmentId: env.id, target: env.name, params: input }, () =>
    asRoot(env, async (c) => {
      if (input.action !== "reset" && input.action !== "full-stop" && !(await repl.slaveStatus(c))) {
        throw new ServiceError(409, "not_a_slave", 'This server has no master configured: use "Configure master" first');
      }
      await repl.controlSlave(c, input.action, input.count ?? 1);
    }),
  );
  return replicationStatus(actor, name);
}

/** Binary logging on (log-bin = mysql-bin, binlog-format = mixed) through the normal config path (restart). */
export async function enableBinlog(actor: Actor, name: string) {
  const { content } = await getConfig(actor, name);
  return saveConfig(actor, name, { content: setServerOptions(content, { "log-bin": "mysql-bin", "binlog-format": "mixed" }) }, { message: "Enabled binary logging" });
}

/** The actor's running environments replicating from `env` (matched on the address their slave thread uses). */
export async function slavesOf(actor: Actor, env: EnvironmentWithNodes) {
  const node = primaryNode(env);
  const others = (await listEnvironments(actor)).filter((e) => e.id !== env.id && e.status === "running" && e.ownerId === env.ownerId);
  const found = await Promise.all(
    others.map(async (o) => {
      const row = await asRoot(o, (c) => repl.slaveStatus(c)).catch(() => null);
      return row && row.Master_Host === node.host && Number(row.Master_Port) === node.port ? { env: o, status: row } : null;
    }),
  );
  return found.filter((f): f is NonNullable<typeof f> => f !== null);
}


/** Writes a canary row on the master and times its arrival on each slave (null: not within the timeout). */
export async function measureCanary(master: EnvironmentWithNodes, slaves: EnvironmentWithNodes[], timeoutMs = 5000): Promise<(number | null)[]> {
  const token = crypto.randomBytes(8).toString("hex");
  return asRoot(master, async (m) => {
    await m.query("CREATE DATABASE IF NOT EXISTS mariner_canary");
    await m.query("CREATE TABLE IF NOT EXISTS mariner_canary.canary (id INT PRIMARY KEY, token VARCHAR(32) NOT NULL, written_at DATETIME(6) NOT NULL)");
    const conns = await Promise.all(slaves.map((s) => openRoot(s)));
    try {
      const t0 = performance.now();
      await m.query("REPLACE INTO mariner_canary.canary VALUES (1, ?, NOW(6))", [token]);
      return await Promise.all(
        conns.map((c) => waitFor(() => c.query("SELECT token FROM mariner_canary.canary WHERE id = 1").then(([r]) => (r as { token: string }[])[0]?.token === token).catch(() => false), t0, timeoutMs)),
      );
    } finally {
      for (const c of conns) c.destroy();
    }
  });
}

/**
 * The article's "Check the results": a canary row timed on each slave, then the literal check: a database
 * created on the master shows up in each slave's database list (then dropped).
 */
export async function checkReplication(actor: Actor, name: string, timeoutMs = 5000) {
  const env = await getEnvironment(actor, name);
  const slaves = await slavesOf(actor, env);
  return runOperation({ userId: actor.id, action: "replication.check", environmentId: env.id, target: env.name }, async () => {
    const canary = await measureCanary(env, slaves.map((s) => s.env), timeoutMs);
    const literal = await asRoot(env, async (master) => {
      const conns = await Promise.all(slaves.map((s) => openRoot(s.env)));
      try {
        await master.query("CREATE DATABASE IF NOT EXISTS mariner_check");
        const t1 = performance.now();
        const seen = await Promise.all(conns.map((c) => waitFor(async () => (await listDatabases(c)).includes("mariner_check"), t1, timeoutMs)));
        await master.query("DROP DATABASE IF EXISTS mariner_check");
        return seen;
      } finally {
        for (const c of conns) c.destroy();
      }
    });
    return {
      master: env.name,
      slaves: slaves.map((s, i) => ({ environment: s.env.name, arrived: canary[i] !== null, ms: canary[i], databaseVisible: literal[i] !== null, health: explainSlave(s.status) })),
    };
  });
}

/** Polls `probe` until true; returns the milliseconds since `t0`, or null after the timeout. */
async function waitFor(probe: () => Promise<boolean>, t0: number, timeoutMs: number): Promise<number | null> {
  while (performance.now() - t0 < timeoutMs) {
    if (await probe()) return Math.round((performance.now() - t0) * 10) / 10;
    await new Promise((r) => setTimeout(r, 1));
  }
  return null;
}

