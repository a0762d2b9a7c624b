// A cluster-wide my.cnf change, one member at a time: each member goes through the same review, validation,
// restart and rollback as a single server's save, and the next one starts only once it is Synced again. The first
// failure stops the roll: that member is already back on its previous file, and the members changed before it are
// put back too (one at a time), so the cluster never runs on two configurations.
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { beginOperation, errorLinesOf } from "@/lib/operations";
import { changeMemberConfig } from "@/lib/environments/config";
import type { EnvironmentWithNodes } from "@/lib/environments/lookup";
import { db } from "@/lib/db/client";
import { nodeRefOf } from "@/lib/environments/spec";
import { driverFor } from "@/lib/runtime";
import { setServerOptions } from "@/lib/mycnf/parse";
import { parseInput } from "@/lib/validation";
import { assertSettled, getCluster, waitSynced } from "./members";
import { lookAtCluster } from "./status";
import { GALERA_MANAGED } from "./settings";

const optionName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "An option name is letters, digits, - and _ (e.g. max_connections)");

export const rollingInput = z.strictObject({
  /** Options to set in [mysqld] on every member (null removes the line). */
  set: z.record(optionName, z.string().max(1024).nullable()).refine((o) => Object.keys(o).length > 0, "Nothing to set"),
});

/** "key = value" lines (the form on the cluster page) into options; comments and blank lines ignored. */
export function parseSettingsText(text: string): Record<string, string> {
  const set: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([^=\s]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m) throw new ServiceError(400, "invalid_request", `Not an option line: ${line}`);
    set[m[1]] = m[2] ?? "";
  }
  return set;
}

export async function beginRollingConfig(actor: Actor, name: string, raw: unknown) {
  const { set } = parseInput(rollingInput, raw);
  const plain = (k: string) =>
    k
      .toLowerCase()
      .replace(/_/g, "-")
      .replace(/^(loose-)+/, "")
      .replace(/^(enable|disable|skip|maximum)-/, "");
  const managed = Object.keys(set).filter((k) => GALERA_MANAGED.has(plain(k)));
  if (managed.length)
    throw new ServiceError(400, "invalid_request", `${managed.join(", ")}: managed by Mariner for every member`);
  const found = await getCluster(actor, name);
  assertSettled(found.cluster);
  // Only from a whole cluster: a member restarted while another is down could leave no primary component.
  const notSynced = (await lookAtCluster(found)).filter((l) => l.wsrep?.state !== "Synced");
  if (notSynced.length)
    throw new ServiceError(
      409,
      "not_synced",
      `${notSynced.map((l) => l.name).join(", ")} ${notSynced.length > 1 ? "are" : "is"} not Synced: bring every node back (Recover cluster) before a rolling change`,
    );
  return beginOperation(
    { userId: actor.id, action: "galera.config", target: name, params: { set }, environmentId: found.members[0]?.id },
    async (step) => {
      const done: { member: EnvironmentWithNodes; previous: string }[] = [];
      for (const m of found.members) {
        await step(`applying on ${m.name}`);
        const previous = await driverFor(m.runtime).readConfig(nodeRefOf(m.nodes[0]));
        try {
          await changeMemberConfig(
            actor,
            m,
            { edit: (text) => setServerOptions(text, set) },
            { message: "Rolling apply" },
          );
        } catch (e) {
          await step(`${m.name} refused it: its previous my.cnf is back`);
          for (const back of done.reverse()) {
            await step(`putting ${back.member.name}'s previous my.cnf back`);
            await changeMemberConfig(
              actor,
              back.member,
              { content: back.previous },
              { message: "Rolling apply undone" },
            );
            await waitSynced(back.member, await currentRef(back.member));
          }
          throw new ServiceError(
            422,
            "rolling_apply_failed",
            `Stopped at ${m.name}: ${(e as Error).message}`,
            errorLinesOf(e),
          );
        }
        done.push({ member: m, previous });
        await step(`waiting for ${m.name} to be Synced`);
        await waitSynced(m, await currentRef(m));
      }
      return { members: done.map((d) => d.member.name) };
    },
  );
}

/** The member's node as recorded now (a restart changed its pid). */
async function currentRef(member: EnvironmentWithNodes) {
  return nodeRefOf(await db().node.findUniqueOrThrow({ where: { id: member.nodes[0].id } }));
}
