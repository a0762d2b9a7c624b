import { explainSlave } from "@/lib/mariadb/health";
import { parseGtid } from "@/lib/mariadb/gtid";
import { LAG_THRESHOLD_SECONDS, type Topology, type TopologyNode } from "../discover";

// The replication doctor's judgement of one server (its fixes are in ../doctor.ts).

export interface Finding {
  id: string;
  severity: "error" | "warning";
  target: string;
  title: string;
  explanation: string;
  fix: string | null;
}

/**
 * Everything wrong with one server of a discovered topology, in plain words. `consoleServers` are the names the
 * console manages (a source outside them gets no one-click fix); `anonymousHosts` are its anonymous users' hosts.
 */
export function analyzeServer(
  n: TopologyNode,
  topology: Topology,
  consoleServers: Set<string>,
  anon: string[],
): Finding[] {
  const f = n.facts;
  if (!f) return [];
  const findings: Finding[] = [];
  const masters = new Set(topology.edges.map((e) => e.from));
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
  if (!f.connections.length) return findings;
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
    const known = source !== null && consoleServers.has(source);
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
  return findings;
}

/** Errors first, then by id: the doctor's list reads the same on every refresh. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) =>
    a.severity === b.severity ? a.id.localeCompare(b.id) : a.severity === "error" ? -1 : 1,
  );
}
