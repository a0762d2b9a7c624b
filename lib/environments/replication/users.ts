import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import * as repl from "@/lib/mariadb/replication";
import { runOperation } from "@/lib/operations";
import { asRoot } from "../root";
import { getEnvironment } from "../service";
// Replication users on a master: add and drop.

export const addUserInput = z.strictObject({
  user: repl.replicationUserName,
  password: repl.replicationPassword,
  host: repl.hostPattern.optional(),
});

export async function addReplicationUser(actor: Actor, name: string, raw: unknown) {
  const env = await getEnvironment(actor, name);
  const input = parseInput(addUserInput, raw);
  const host = input.host ?? "%";
  await runOperation(
    {
      userId: actor.id,
      action: "replication.add-user",
      environmentId: env.id,
      target: env.name,
      params: { user: input.user, host },
    },
    () =>
      asRoot(env, async (c) => {
        try {
          await repl.createReplicationUser(c, input.user, input.password, host);
        } catch (e) {
          if ((e as { code?: string }).code === "USER_EXISTS")
            throw new ServiceError(409, "user_exists", (e as Error).message);
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
  await runOperation(
    { userId: actor.id, action: "replication.drop-user", environmentId: env.id, target: env.name, params: input },
    () =>
      asRoot(env, async (c) => {
        if (!(await repl.dropReplicationUser(c, input.user, input.host)))
          throw new ServiceError(404, "not_found", `Replication user '${input.user}'@'${input.host}' not found`);
      }),
  );
}
