import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { editConfig } from "@/lib/environments/config";
import { enableBinlog } from "@/lib/environments/replication";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, listEnvironments } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { explainSlave } from "@/lib/mariadb/health";
import { parseGtid } from "@/lib/mariadb/gtid";
import { anonymousUsers, changeCredentials, changeMaster, controlSlave } from "@/lib/mariadb/replication";
import { setServerOptions } from "@/lib/mycnf/parse";
import { ensureReplicationAccount } from "./account";
import { discoverTopology, LAG_THRESHOLD_SECONDS } from "./discover";
import { beginReseed } from "./seed";

export interface Finding {
  id: string;
  severity: "error" | "warning";
  target: string;
  title: string;
  explanation: string;
  fix: string | null;
}

/** The replication doctor: checks every server of the user's topology and explains each problem in plain words. */
export async function diagnose(actor: Actor): Promise<Finding[]> {
  const envs = await listEnvironments(actor);
  const topology = await discoverTopology(actor, envs);
  const findings: Finding[] = [];
  const masters = new Set(topology.edges.map((e) => e.from));
  await Promise.all(
    topology.nodes.map(async (n) => {
      const f = n.facts;
      if (!f) return;
      const env = envs.find((e) => e.name === n.name)!;
      const anon = await asRoot(env, anonymousUsers).catch(() => []);
      if (anon.length) {
        findings.push({
          id: `anonymous-users:${n.name}`,
          severity: "error",
          target: n.name,
          title: "Anonymous users",
          explanation: `''@${anon.join(", ''@")} match before named users for local clients, so a replication user gets "1045 Access denied" with the right password.`,
          fix: "Drop the anonymous users",
        });
      }
      const dup = topology.nodes.filter((o) => o !== n && o.facts?.serverId === f.serverId);
      if (dup.length && dup.every((d) => d.name > n.name)) {
        findings.push({
          id: `duplicate-server-id:${dup[0].name}`,
          severity: "error",
          target: dup[0].name,
          title: "Duplicate server-id",
          explanation: `${dup[0].name} uses server-id ${f.serverId} like ${n.name}: a slave ignores events carrying its own id.`,
          fix: `Give ${dup[0].name} a new unique server-id (restart)`,
        });
      }
      if (masters.has(n.name) && !f.logBin) {
        findings.push({
          id: `binlog-off:${n.name}`,
          severity: "error",
          target: n.name,
          title: "Binary log off on a master",
          explanation: `Slaves read ${n.name}'s binary log, and it has none.`,
          fix: "Enable binary logging (restart)",
        });
      }
      if (f.logBin && f.binlogFormat === "STATEMENT") {
        findings.push({
          id: `statement-format:${n.name}`,
          severity: "warning",
          target: n.name,
          title: "binlog_format = STATEMENT",
          explanation:
            "Non-deterministic statements (UUID(), LIMIT without ORDER BY, …) give different results on slaves: errors later on.",
          fix: "Switch to MIXED (restart)",
        });
      }
      if (f.slaveSkipErrors !== "OFF" && f.slaveSkipErrors !== "") {
        findings.push({
          id: `skip-errors:${n.name}`,
          severity: "warning",
          target: n.name,
          title: "slave-skip-errors is on",
          explanation: `Failing events are skipped silently (${f.slaveSkipErrors}): this slave's data may differ from the master's while both threads say Yes.`,
          fix: "Remove slave-skip-errors (restart)",
        });
      }
      if (!f.connections.length) return;
      if (!f.readOnly) {
        findings.push({
          id: `not-read-only:${n.name}`,
          severity: "warning",
          target: n.name,
          title: "Slave is writable",
          explanation: "Writes made directly on a slave are not on the master and can break replication later.",
          fix: "Make it read-only",
        });
      }
      // Every connection is checked: a multi-source slave's named ones too (their ids and titles carry the name).
      for (const { name: connection, status } of f.connections) {
        const key = connection ? `${n.name}:${connection}` : n.name;
        const on = connection ? ` (connection '${connection}')` : "";
        const source = topology.edges.find((e) => e.to === n.name && e.connection === connection)?.from ?? null;
        const known = source !== null && envs.some((e) => e.name === source);
        const health = explainSlave(status);
        if (Number(status.Last_IO_Errno) === 1045) {
          findings.push({
            id: `repl-login:${key}`,
            severity: "error",
            target: n.name,
            title: `Replication user missing or wrong password${on}`,
            explanation: health.message,
            fix: known ? `Use Mariner's own replication account on ${source}` : null,
          });
        }
        if (Number(status.Last_IO_Errno) === 1236 && !/binary log is not open/i.test(String(status.Last_IO_Error))) {
          findings.push({
            id: `purged-binlogs:${key}`,
            severity: "error",
            target: n.name,
            title: `The master no longer has the binary logs this slave needs${on}`,
            explanation: `${health.message} Replication cannot resume from where it stopped.${f.connections.length > 1 ? " A re-seed would replace the data of every source of this slave: copy that master's databases by hand, then configure the connection again." : ""}`,
            // Re-seeding rebuilds the whole slave from one master: only safe when that master is its only source.
            fix: known && f.connections.length === 1 && !connection ? "Re-seed from a consistent snapshot" : null,
          });
        }
        if (status.Slave_IO_Running === "Yes" && status.Slave_SQL_Running !== "Yes" && !Number(status.Last_SQL_Errno)) {
          findings.push({
            id: `sql-stopped:${key}`,
            severity: "warning",
            target: n.name,
            title: `SQL thread stopped without an error${on}`,
            explanation:
              "Events arrive from the master but nobody applies them: the slave falls further behind every second.",
            fix: "Start the SQL thread",
          });
        }
        if (health.secondsBehind !== null && health.secondsBehind > LAG_THRESHOLD_SECONDS) {
          findings.push({
            id: `lag:${key}`,
            severity: "warning",
            target: n.name,
            title: `Slave is behind${on}`,
            explanation: `${health.secondsBehind} s behind its master (threshold ${LAG_THRESHOLD_SECONDS} s).`,
            fix: null,
          });
        }
        const parent = topology.nodes.find((p) => p.name === source);
        if (parent?.facts && status.Using_Gtid !== "No") {
          const missingDomains = [...parseGtid(parent.facts.gtidBinlogPos).keys()].filter(
            (d) => !parseGtid(f.gtidSlavePos).has(d),
          );
          if (missingDomains.length) {
            findings.push({
              id: `gtid-gap:${key}`,
              severity: "warning",
              target: n.name,
              title: `GTID gap${on}`,
              explanation: `${source} has GTID domain(s) ${missingDomains.join(", ")} that ${n.name} has never executed: it may be missing data written before it was attached.`,
              fix: null,
            });
          }
        }
      }
    }),
  );
  return findings.sort((a, b) =>
    a.severity === b.severity ? a.id.localeCompare(b.id) : a.severity === "error" ? -1 : 1,
  );
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
