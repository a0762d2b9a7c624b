import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import * as repl from "@/lib/mariadb/replication";
import { topologyLock } from "@/lib/locks";
import { runOperation } from "@/lib/operations";
import { environmentName } from "@/lib/names";
import { asRoot } from "../root";
import { getEnvironment, primaryNode, type EnvironmentWithNodes } from "../service";
import { giveGtidDomain, gtidDomainClash } from "./gtid-domains";
// Configure master: point a slave (or one named connection of a multi-source slave) at its source.

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
  .refine((v) => v.masterEnvironment || (v.host && v.port), {
    message: "Pick a master environment or give host and port",
  })
  .refine((v) => v.mode === "gtid" || (v.logFile && v.logPos), {
    message: "Binlog mode needs a log file and position",
  });

export async function configureMaster(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(configureMasterInput, raw);
  let host = input.host!;
  let port = input.port!;
  let masterEnv: EnvironmentWithNodes | null = null;
  if (input.masterEnvironment) {
    if (input.masterEnvironment === env.name)
      throw new ServiceError(400, "invalid_request", "An environment cannot be its own master");
    masterEnv = await getEnvironment(actor, input.masterEnvironment);
    const master = primaryNode(masterEnv);
    host = master.host;
    port = master.port;
  }
  const node = primaryNode(env);
  if (host === node.host && port === node.port)
    throw new ServiceError(400, "invalid_request", "An environment cannot be its own master");
  // Serialized with every topology change of this owner: two sources added at once must see each other.
  return topologyLock(env.ownerId, () => configureUnderLock(actor, env, masterEnv, host, port, input));
}

async function configureUnderLock(
  actor: Actor,
  env: EnvironmentWithNodes,
  masterEnv: EnvironmentWithNodes | null,
  host: string,
  port: number,
  input: z.infer<typeof configureMasterInput>,
) {
  const others = (await asRoot(env, repl.allSlaveStatus)).filter((c) => c.name !== input.connection);
  const sameMaster = others.find((c) => c.status.Master_Host === host && Number(c.status.Master_Port) === port);
  if (sameMaster)
    throw new ServiceError(
      409,
      "duplicate_source",
      `${connectionLabel(sameMaster.name)} already replicates from ${host}:${port}`,
    );
  // Every applied event moves the slave's GTID position for its domain, whatever the connection's mode (and the
  // console repoints by GTID on switchover): a clash matters for every mode.
  const domainChange =
    masterEnv && others.length ? await gtidDomainClash(actor, env, masterEnv, others, input.ownGtidDomain) : null;
  if (domainChange?.freshBinlog && input.mode === "binlog")
    throw new ServiceError(
      400,
      "invalid_request",
      `${masterEnv!.name}'s binary log starts afresh with its new domain: use GTID for this source`,
    );
  const start = await runOperation(
    {
      userId: actor.id,
      action: "replication.configure-master",
      environmentId: env.id,
      target: env.name,
      params: {
        connection: input.connection,
        masterEnvironment: input.masterEnvironment,
        host,
        port,
        user: input.user,
        mode: input.mode,
        logFile: input.logFile,
        logPos: input.logPos,
        gtidDomain: domainChange?.domainId,
      },
    },
    async () => {
      const start: Pick<repl.MasterSettings, "mode" | "logFile" | "logPos"> = {
        mode: input.mode,
        logFile: input.logFile,
        logPos: input.logPos,
      };
      if (masterEnv && domainChange)
        await giveGtidDomain(actor, masterEnv, domainChange.domainId, domainChange.freshBinlog);
      await asRoot(env, (c) =>
        repl.changeMaster(c, { host, port, user: input.user, password: input.password, ...start }, input.connection),
      );
      return { ...start, freshBinlog: domainChange?.freshBinlog ?? false };
    },
  );
  return { host, port, connection: input.connection, gtidDomain: domainChange?.domainId ?? null, ...start };
}

export const connectionLabel = (connection: string) =>
  connection ? `Connection '${connection}'` : "The default connection";
