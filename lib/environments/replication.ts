import crypto from "node:crypto";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { explainSlave } from "@/lib/mariadb/health";
import { clientSessions } from "@/lib/mariadb/sessions";
import * as repl from "@/lib/mariadb/replication";
import { listDatabases } from "@/lib/mariadb/sql";
import { getServerOption, setServerOptions } from "@/lib/mycnf/parse";
import { topologyLock } from "@/lib/locks";
import { runOperation } from "@/lib/operations";
import { environmentName } from "@/lib/names";
import { editConfig } from "./config";
import { asRoot, openRoot } from "./root";
import { getEnvironment, listEnvironments, primaryNode, type EnvironmentWithNodes } from "./service";
import { userDatabases } from "@/lib/mariadb/schemas";

export async function replicationStatus(actor: Actor, name: string) {
  const env = await getEnvironment(actor, name);
  return asRoot(env, async (c) => {
    const [master, slave, all, users, anonymous] = await Promise.all([repl.masterStatus(c), repl.slaveStatus(c), repl.allSlaveStatus(c), repl.listReplicationUsers(c), repl.anonymousUsers(c)]);
    // Named connections are multi-source: each is a master of its own with its own threads and status row.
    const connections = all.filter((a) => a.name !== "").map((a) => ({ name: a.name, status: a.status, health: explainSlave(a.status) }));
    return { master, slave, health: explainSlave(slave), connections, replicationUsers: users, anonymousUsers: anonymous };
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
    /** Empty or absent: the default connection; a name: one more source of a multi-source slave. */
    connection: repl.connectionName.default(""),
    /** When this master writes a GTID domain another source already uses, give it a domain of its own. */
    ownGtidDomain: z.boolean().default(false),
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
  let masterEnv: EnvironmentWithNodes | null = null;
  if (input.masterEnvironment) {
    if (input.masterEnvironment === env.name) throw new ServiceError(400, "invalid_request", "An environment cannot be its own master");
    masterEnv = await getEnvironment(actor, input.masterEnvironment);
    const master = primaryNode(masterEnv);
    host = master.host;
    port = master.port;
  }
  const node = primaryNode(env);
  if (host === node.host && port === node.port) throw new ServiceError(400, "invalid_request", "An environment cannot be its own master");
  // Serialized with every topology change of this owner: two sources added at once must see each other.
  return topologyLock(env.ownerId, () => configureUnderLock(actor, env, masterEnv, host, port, input));
}

async function configureUnderLock(actor: Actor, env: EnvironmentWithNodes, masterEnv: EnvironmentWithNodes | null, host: string, port: number, input: z.infer<typeof configureMasterInput>) {
  const others = (await asRoot(env, repl.allSlaveStatus)).filter((c) => c.name !== input.connection);
  const sameMaster = others.find((c) => c.status.Master_Host === host && Number(c.status.Master_Port) === port);
  if (sameMaster) throw new ServiceError(409, "duplicate_source", `${connectionLabel(sameMaster.name)} already replicates from ${host}:${port}`);
  // Every applied event moves the slave's GTID position for its domain, whatever the connection's mode (and the
  // console repoints by GTID on switchover): a clash matters for every mode.
  const domainChange = masterEnv && others.length ? await gtidDomainClash(actor, env, masterEnv, others, input.ownGtidDomain) : null;
  if (domainChange?.freshBinlog && input.mode === "binlog") throw new ServiceError(400, "invalid_request", `${masterEnv!.name}'s binary log starts afresh with its new domain: use GTID for this source`);
  const start = await runOperation(
    {
      userId: actor.id,
      action: "replication.configure-master",
      environmentId: env.id,
      target: env.name,
      params: { connection: input.connection, masterEnvironment: input.masterEnvironment, host, port, user: input.user, mode: input.mode, logFile: input.logFile, logPos: input.logPos, gtidDomain: domainChange?.domainId },
    },
    async () => {
      const start: Pick<repl.MasterSettings, "mode" | "logFile" | "logPos"> = { mode: input.mode, logFile: input.logFile, logPos: input.logPos };
      if (masterEnv && domainChange) await giveGtidDomain(actor, masterEnv, domainChange.domainId, domainChange.freshBinlog);
      await asRoot(env, (c) => repl.changeMaster(c, { host, port, user: input.user, password: input.password, ...start }, input.connection));
      return { ...start, freshBinlog: domainChange?.freshBinlog ?? false };
    },
  );
  return { host, port, connection: input.connection, gtidDomain: domainChange?.domainId ?? null, ...start };
}

const connectionLabel = (connection: string) => (connection ? `Connection '${connection}'` : "The default connection");

/**
 * A multi-source slave keeps one GTID position per domain: two masters writing the same domain would overwrite
 * each other's position and break on the next reconnect. Returns the domain to give the new master (and whether
 * its binary log must start afresh), refuses with the reason, or null when there is nothing to fear.
 *
 * Measured on 10.11: a master whose binary log already holds events of a domain another source owns cannot be
 * added at all — by GTID it refuses the connection (MariaDB checks every domain of the slave's position, even
 * with IGNORE_DOMAIN_IDS: 1236 "GTID 0-1-4 not in the master's binlog"), by file/position its Gtid_list moves the
 * slave's position for that domain. So such history must go: a master without slaves and without databases
 * (a fresh one: its history is its replication user) gets a fresh binary log with its new domain.
 */
async function gtidDomainClash(actor: Actor, slave: EnvironmentWithNodes, master: EnvironmentWithNodes, others: repl.SlaveConnection[], fix: boolean): Promise<{ domainId: number; freshBinlog: boolean } | null> {
  const mine = await asRoot(master, repl.gtidDomains);
  const envs = await listEnvironments(actor);
  const taken = new Set<number>();
  // The other sources' own domains, asked from them (a connection's Gtid_IO_Pos starts as the slave's whole
  // position, every domain included, so it cannot tell whose a domain is). A source that cannot be asked (an
  // outside host, stopped) may own any domain the slave has executed.
  let unknown = false;
  for (const o of others) {
    const source = envs.find((e) => e.nodes[0] && e.nodes[0].host === o.status.Master_Host && e.nodes[0].port === Number(o.status.Master_Port));
    const domains = source && source.status === "running" ? await asRoot(source, repl.gtidDomains).then((d) => d.domains, () => null) : null;
    if (domains) for (const d of domains) taken.add(d);
    else unknown = true;
  }
  if (unknown) {
    const executed = await asRoot(slave, async (c) => {
      const [[r]] = (await c.query("SELECT @@gtid_slave_pos AS p")) as unknown as [{ p: string }[]];
      return String(r.p ?? "").split(",").filter(Boolean).map((g) => Number(g.split("-")[0]));
    });
    for (const d of executed) taken.add(d);
  }
  const history = mine.written.filter((d) => taken.has(d));
  if (!taken.has(mine.domainId) && !history.length) return null;
  const clash = [...new Set([...(taken.has(mine.domainId) ? [mine.domainId] : []), ...history])];
  const problem = `${master.name} writes (or has written) GTID domain ${clash.join(", ")}, which another source of this slave already uses: the slave would mix up their positions.`;
  if (!fix) {
    throw new ServiceError(409, "gtid_domain_clash", problem, [`Tick "Give ${master.name} its own GTID domain" (API: ownGtidDomain: true).`]);
  }
  if (history.length) await requireFresh(actor, master, problem);
  let domainId = primaryNode(master).serverId;
  while (taken.has(domainId)) domainId++;
  return { domainId, freshBinlog: history.length > 0 };
}

/**
 * A master whose binary log may be reset: nobody reads it (no dump thread, no environment of the owner points
 * at it, connected or not) and it holds no databases — its log only has its replication user.
 */
async function requireFresh(actor: Actor, master: EnvironmentWithNodes, problem: string) {
  const [dumps, databases] = await asRoot(master, async (c) => {
    const [d] = await c.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
    return [Number((d as { n: number }[])[0].n), await userDatabases(c, ["mariner_canary"])] as const;
  });
  const readers = dumps || (await slavesOf(actor, master)).length;
  if (readers || databases.length) {
    throw new ServiceError(
      409,
      "gtid_domain_clash",
      `${problem} Its binary log already holds those events${readers ? `, ${readers} slave(s) read it` : ""}${databases.length ? `, and it holds databases (${databases.join(", ")})` : ""}: MariaDB cannot take it as a second source (by GTID it refuses the connection, by file/position it moves the other source's position).`,
      [`Make a fresh master the source (its first events then carry its own domain), or copy its databases to this slave and replicate them another way.`],
    );
  }
}

/**
 * gtid-domain-id set live and persisted in my.cnf (no restart: the variable is dynamic). Sessions opened before
 * keep their old domain until they reconnect, and their writes would still clash: after the change, any client
 * session older than a marker connection opened right after it (whatever the account — applications may log
 * in as root) that is still there a moment later puts the old domain back and refuses.
 */
async function giveGtidDomain(actor: Actor, master: EnvironmentWithNodes, domainId: number, freshBinlog: boolean) {
  // my.cnf first (it may be refused), then the live value; any later failure puts both back.
  let before: string | null = null;
  const give = (content: string) => {
    before = getServerOption(content, "gtid-domain-id") ?? null;
    return setServerOptions(content, { "gtid-domain-id": String(domainId) });
  };
  await editConfig(actor, master.name, give, { message: `gtid-domain-id = ${domainId} (multi-source)`, restart: false });
  let previous: number | null = null;
  try {
    previous = await asRoot(master, async (c) => {
      const [[r]] = (await c.query("SELECT @@GLOBAL.gtid_domain_id AS d")) as unknown as [{ d: number }[]];
      await c.query("SET GLOBAL gtid_domain_id = ?", [domainId]);
      return Number(r.d);
    });
    const marker = await asRoot(master, async (c) => {
      const [[r]] = (await c.query("SELECT CONNECTION_ID() AS id")) as unknown as [{ id: number }[]];
      return Number(r.id);
    });
    await new Promise((r) => setTimeout(r, 300)); // the console's own short checks end within this
    const older = await asRoot(master, async (c) => (await clientSessions(c)).filter((s) => s.id < marker));
    if (older.length) {
      const users = [...new Set(older.map((s) => s.user))].join(", ");
      throw new ServiceError(409, "sessions_open", `${older.length} client session(s) opened before the change are still open on ${master.name} (users: ${users}): they would keep writing the shared GTID domain. Close them (or restart ${master.name}), then add the source again.`);
    }
    if (freshBinlog) {
      await requireFresh(actor, master, `${master.name}'s binary log cannot be started afresh.`); // again, right before
      await asRoot(master, (c) => c.query("RESET MASTER"));
    }
  } catch (e) {
    if (previous !== null) await asRoot(master, (c) => c.query("SET GLOBAL gtid_domain_id = ?", [previous])).catch(() => undefined);
    await editConfig(actor, master.name, (content) => setServerOptions(content, { "gtid-domain-id": before }), { message: "gtid-domain-id change undone", restart: false }).catch(() => undefined);
    throw e;
  }
}

export const controlInput = z.strictObject({
  connection: repl.connectionName.default(""),
  action: z.enum(repl.CONTROL_ACTIONS, { error: `action must be one of: ${repl.CONTROL_ACTIONS.join(", ")}` }),
  count: z.number().int().min(1).max(1_000_000).optional(),
});

export async function controlSlave(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(controlInput, raw);
  await runOperation({ userId: actor.id, action: `replication.${input.action}`, environmentId: env.id, target: env.name, params: input }, () =>
    asRoot(env, async (c) => {
      if (input.action === "remove" && !input.connection) throw new ServiceError(400, "invalid_request", '"Remove" is for named connections; use "Reset slave" for the default one');
      const configured = (await repl.slaveStatus(c, input.connection)) !== null;
      if (input.connection && !configured) throw new ServiceError(404, "not_found", `${connectionLabel(input.connection)} does not exist`);
      if (input.action !== "reset" && input.action !== "full-stop" && !configured) {
        throw new ServiceError(409, "not_a_slave", 'This server has no master configured: use "Configure master" first');
      }
      await repl.controlSlave(c, input.action, input.count ?? 1, input.connection);
    }),
  );
  return replicationStatus(actor, name);
}

/** Binary logging on (log-bin = mysql-bin, binlog-format = mixed) through the normal config path (restart). */
export async function enableBinlog(actor: Actor, name: string) {
  return editConfig(actor, name, (content) => setServerOptions(content, { "log-bin": "mysql-bin", "binlog-format": "mixed" }), { message: "Enabled binary logging" });
}

/** The actor's running environments replicating from `env` (matched on the address their slave thread uses). */
export async function slavesOf(actor: Actor, env: EnvironmentWithNodes) {
  const node = primaryNode(env);
  const others = (await listEnvironments(actor)).filter((e) => e.id !== env.id && e.status === "running" && e.ownerId === env.ownerId);
  const found = await Promise.all(
    others.map(async (o) => {
      const connections = await asRoot(o, repl.allSlaveStatus).catch(() => []);
      const match = connections.find((c) => c.status.Master_Host === node.host && Number(c.status.Master_Port) === node.port);
      return match ? { env: o, status: match.status, connection: match.name } : null;
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

