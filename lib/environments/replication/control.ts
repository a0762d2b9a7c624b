import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import * as repl from "@/lib/mariadb/replication";
import { setServerOptions } from "@/lib/mycnf/parse";
import { runOperation } from "@/lib/operations";
import { editConfig } from "../config";
import { asRoot } from "../root";
import { getEnvironment } from "../service";
import { replicationStatus } from "./status";
import { connectionLabel } from "./source";
// Control slave (Full start/stop, threads, reset, skip) and Enable binary logging.

export const controlInput = z.strictObject({
  connection: repl.connectionName.default(""),
  action: z.enum(repl.CONTROL_ACTIONS, { error: `action must be one of: ${repl.CONTROL_ACTIONS.join(", ")}` }),
  count: z.number().int().min(1).max(1_000_000).optional(),
});

export async function controlSlave(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(controlInput, raw);
  await runOperation(
    { userId: actor.id, action: `replication.${input.action}`, environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        if (input.action === "remove" && !input.connection)
          throw new ServiceError(
            400,
            "invalid_request",
            '"Remove" is for named connections; use "Reset slave" for the default one',
          );
        const configured = (await repl.slaveStatus(c, input.connection)) !== null;
        if (input.connection && !configured)
          throw new ServiceError(404, "not_found", `${connectionLabel(input.connection)} does not exist`);
        if (input.action !== "reset" && input.action !== "full-stop" && !configured) {
          throw new ServiceError(
            409,
            "not_a_slave",
            'This server has no master configured: use "Configure master" first',
          );
        }
        await repl.controlSlave(c, input.action, input.count ?? 1, input.connection);
      }),
  );
  return replicationStatus(actor, name);
}

/** Binary logging on (log-bin = mysql-bin, binlog-format = mixed) through the normal config path (restart). */
export async function enableBinlog(actor: Actor, name: string) {
  return editConfig(
    actor,
    name,
    (content) => setServerOptions(content, { "log-bin": "mysql-bin", "binlog-format": "mixed" }),
    { message: "Enabled binary logging" },
  );
}
