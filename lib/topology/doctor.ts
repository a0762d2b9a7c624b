import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { editConfig } from "@/lib/environments/config";
import { enableBinlog } from "@/lib/environments/replication";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, listEnvironments, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { anonymousUsers, changeCredentials, changeMaster, controlSlave } from "@/lib/mariadb/replication";
import { setServerOptions } from "@/lib/mycnf/parse";
import { ensureReplicationAccount } from "./account";
import { analyzeServer, sortFindings, type Finding } from "./analysis";
import { discoverTopology, type Topology } from "./discover";
import { beginReseed } from "./reseed";

// Recovery: the one-click fixes of what the analysis found (judging stays in ./analysis).

export type { Finding };

/**
 * The replication doctor: checks every server of the user's topology and explains each problem in plain words.
 * A page that already discovered the topology passes it (with the environments it was discovered from).
 */
export async function diagnose(actor: Actor, seen?: { envs: EnvironmentWithNodes[]; topology: Topology }) {
  const envs = seen?.envs ?? (await listEnvironments(actor));
  const topology = seen?.topology ?? (await discoverTopology(actor, envs));
  const names = new Set(envs.map((e) => e.name));
  const perServer = topology.nodes.map((n) =>
    n.facts ? analyzeServer(n, topology, names, n.facts.anonymousUsers) : [],
  );
  return sortFindings(perServer.flat());
}

/** Runs the one-click fix of a finding (only the safe ones have a fix), then diagnoses again. */
export async function applyFix(actor: Actor, id: string): Promise<Finding[]> {
  const finding = (await diagnose(actor)).find((f) => f.id === id);
  if (!finding) throw new ServiceError(404, "not_found", "That problem is no longer present");
  if (!finding.fix)
    throw new ServiceError(409, "no_fix", `"${finding.title}" has no automatic fix: ${finding.explanation}`);
  const env = await getEnvironment(actor, finding.target);
  const [kind, , connection = ""] = id.split(":");
  const edit = (values: Record<string, string | null>, message: string, restart = true) =>
    editConfig(actor, env.name, (content) => setServerOptions(content, values), { message, restart });
  switch (kind) {
    case "anonymous-users":
      await asRoot(env, async (c) => {
        for (const host of await anonymousUsers(c)) await c.query("DROP USER ''@?", [host]);
      });
      break;
    case "duplicate-server-id": {
      const max = await db().node.aggregate({ _max: { serverId: true } });
      await edit({ "server-id": String((max._max.serverId ?? 0) + 1) }, "Doctor: unique server-id");
      break;
    }
    case "binlog-off":
      await enableBinlog(actor, env.name);
      break;
    case "statement-format":
      await edit({ "binlog-format": "mixed" }, "Doctor: binlog-format = mixed");
      break;
    case "skip-errors":
      await edit({ "slave-skip-errors": null, "replica-skip-errors": null }, "Doctor: removed slave-skip-errors");
      break;
    case "purged-binlogs":
      await (
        await beginReseed(actor, env.name)
      ).done;
      break;
    case "sql-stopped":
      await asRoot(env, (c) => controlSlave(c, "start-sql", 1, connection));
      break;
    case "not-read-only":
      await asRoot(env, (c) => c.query("SET GLOBAL read_only = 1"));
      await edit({ "read-only": "ON" }, "Doctor: read-only slave", false);
      break;
    case "repl-login": {
      const topology = await discoverTopology(actor);
      const parent = await getEnvironment(
        actor,
        topology.edges.find((e) => e.to === env.name && e.connection === connection)!.from,
      );
      const login = await ensureReplicationAccount(parent);
      await asRoot(env, async (c) => {
        // A named connection keeps its position (it may run on file/position); the default one moves to GTID.
        if (connection) await changeCredentials(c, login.user, login.password, connection);
        else await changeMaster(c, { ...login, mode: "gtid" });
        await controlSlave(c, "full-start", 1, connection);
      });
      break;
    }
    default:
      throw new ServiceError(409, "no_fix", "No automatic fix for this problem");
  }
  return diagnose(actor);
}
