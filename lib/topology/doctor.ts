import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { getConfig, saveConfig } from "@/lib/environments/config";
import { enableBinlog } from "@/lib/environments/replication";
import { asRoot } from "@/lib/environments/root";
import { getEnvironment, listEnvironments } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { explainSlave } from "@/lib/mariadb/health";
import { parseGtid } from "@/lib/mariadb/gtid";
import { anonymousUsers, changeMaster } from "@/lib/mariadb/replication";
import { setServerOptions } from "@/lib/mycnf/parse";
import { ensureReplicationAccount } from "./account";
import { discoverTopology, LAG_THRESHOLD_SECONDS } from "./discover";
import { beginReseed } from "./operations";

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
        findings.push({ id: `anonymous-users:${n.name}`, severity: "error", target: n.name, title: "Anonymous users", explanation: `''@${anon.join(", ''@")} match before named users for local clients, so a replication user gets "1045 Access denied" with the right password.`, fix: "Drop the anonymous users" });
      }
      const dup = topology.nodes.filter((o) => o !== n && o.facts?.serverId === f.serverId);
      if (dup.length && dup.every((d) => d.name > n.name)) {
        findings.push({ id: `duplicate-server-id:${dup[0].name}`, severity: "error", target: dup[0].name, title: "Duplicate server-id", explanation: `${dup[0].name} uses server-id ${f.serverId} like ${n.name}: a slave ignores events carrying its own id.`, fix: `Give ${dup[0].name} a new unique server-id (restart)` });
      }
      if (masters.has(n.name) && !f.logBin) {
        findings.push({ id: `binlog-off:${n.name}`, severity: "error", target: n.name, title: "Binary log off on a master", explanation: `Slaves read ${n.name}'s binary log, and it has none.`, fix: "Enable binary logging (restart)" });
      }
      if (f.logBin && f.binlogFormat === "STATEMENT") {
        findings.push({ id: `statement-format:${n.name}`, severity: "warning", target: n.name, title: "binlog_format = STATEMENT", explanation: "Non-deterministic statements (UUID(), LIMIT without ORDER BY, …) give different results on slaves: errors later on.", fix: "Switch to MIXED (restart)" });
      }
      if (f.slaveSkipErrors !== "OFF" && f.slaveSkipErrors !== "") {
        findings.push({ id: `skip-errors:${n.name}`, severity: "warning", target: n.name, title: "slave-skip-errors is on", explanation: `Failing events are skipped silently (${f.slaveSkipErrors}): this slave's data may differ from the master's while both threads say Yes.`, fix: "Remove slave-skip-errors (restart)" });
      }
      if (!f.slave) return;
      if (!f.readOnly) {
        findings.push({ id: `not-read-only:${n.name}`, severity: "warning", target: n.name, title: "Slave is writable", explanation: "Writes made directly on a slave are not on the master and can break replication later.", fix: "Make it read-only" });
      }
      const health = explainSlave(f.slave);
      if (Number(f.slave.Last_IO_Errno) === 1045) {
        findings.push({ id: `repl-login:${n.name}`, severity: "error", target: n.name, title: "Replication user missing or wrong password", explanation: health.message, fix: n.master && masters.has(n.master) && envs.some((e) => e.name === n.master) ? `Use Mariner's own replication account on ${n.master}` : null });
      }
      if (Number(f.slave.Last_IO_Errno) === 1236 && !/binary log is not open/i.test(String(f.slave.Last_IO_Error))) {
        findings.push({ id: `purged-binlogs:${n.name}`, severity: "error", target: n.name, title: "The master no longer has the binary logs this slave needs", explanation: `${health.message} Replication cannot resume from where it stopped.`, fix: n.master && envs.some((e) => e.name === n.master) ? "Re-seed from a consistent snapshot" : null });
      }
      if (f.slave.Slave_IO_Running === "Yes" && f.slave.Slave_SQL_Running !== "Yes" && !Number(f.slave.Last_SQL_Errno)) {
        findings.push({ id: `sql-stopped:${n.name}`, severity: "warning", target: n.name, title: "SQL thread stopped without an error", explanation: "Events arrive from the master but nobody applies them: the slave falls further behind every second.", fix: "Start the SQL thread" });
      }
      if (health.secondsBehind !== null && health.secondsBehind > LAG_THRESHOLD_SECONDS) {
        findings.push({ id: `lag:${n.name}`, severity: "warning", target: n.name, title: "Slave is behind", explanation: `${health.secondsBehind} s behind its master (threshold ${LAG_THRESHOLD_SECONDS} s).`, fix: null });
      }
      const parent = topology.nodes.find((p) => p.name === n.master);
      if (parent?.facts) {
        const missingDomains = [...parseGtid(parent.facts.gtidBinlogPos).keys()].filter((d) => !parseGtid(f.gtidSlavePos).has(d));
        if (missingDomains.length && f.slave.Using_Gtid !== "No") {
          findings.push({ id: `gtid-gap:${n.name}`, severity: "warning", target: n.name, title: "GTID gap", explanation: `${n.master} has GTID domain(s) ${missingDomains.join(", ")} that ${n.name} has never executed: it may be missing data written before it was attached.`, fix: null });
        }
      }
    }),
  );
  return findings.sort((a, b) => (a.severity === b.severity ? a.id.localeCompare(b.id) : a.severity === "error" ? -1 : 1));
}

/** Runs the one-click fix of a finding (only the safe ones have a fix), then diagnoses again. */
export async function applyFix(actor: Actor, id: string): Promise<Finding[]> {
  const finding = (await diagnose(actor)).find((f) => f.id === id);
  if (!finding) throw new ServiceError(404, "not_found", "That problem is no longer present");
  if (!finding.fix) throw new ServiceError(409, "no_fix", `"${finding.title}" has no automatic fix: ${finding.explanation}`);
  const env = await getEnvironment(actor, finding.target);
  const kind = id.split(":")[0];
  const edit = async (values: Record<string, string | null>, message: string, restart = true) => {
    const { content } = await getConfig(actor, env.name);
    await saveConfig(actor, env.name, { content: setServerOptions(content, values) }, { message, restart });
  };
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
      await (await beginReseed(actor, env.name)).done;
      break;
    case "sql-stopped":
      await asRoot(env, (c) => c.query("START SLAVE SQL_THREAD"));
      break;
    case "not-read-only":
      await asRoot(env, (c) => c.query("SET GLOBAL read_only = 1"));
      await edit({ "read-only": "ON" }, "Doctor: read-only slave", false);
      break;
    case "repl-login": {
      const topology = await discoverTopology(actor);
      const parent = await getEnvironment(actor, topology.nodes.find((n) => n.name === env.name)!.master!);
      const login = await ensureReplicationAccount(parent);
      await asRoot(env, async (c) => {
        await changeMaster(c, { ...login, mode: "gtid" });
        await c.query("START SLAVE");
      });
      break;
    }
    default:
      throw new ServiceError(409, "no_fix", "No automatic fix for this problem");
  }
  return diagnose(actor);
}
