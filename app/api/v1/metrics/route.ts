import { withActor } from "@/lib/api/http";
import { db } from "@/lib/db/client";
import { listEnvironments } from "@/lib/environments/service";
import { discoverTopology } from "@/lib/topology/discover";

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Prometheus text format: node up, slave threads and lag, last canary, operation counts. Token or session. */
export async function GET(request: Request) {
  return withActor(request, async (actor) => {
    const envs = await listEnvironments(actor);
    const topology = await discoverTopology(actor, envs);
    const lines: string[] = [];
    const metric = (name: string, help: string, type: string, samples: [Record<string, string>, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${label(v)}"`)
          .join(",");
        lines.push(`${name}{${l}} ${value}`);
      }
    };
    metric(
      "mariner_node_up",
      "1 when the environment's server answers a login",
      "gauge",
      topology.nodes.map((n) => [{ environment: n.name }, n.facts ? 1 : 0]),
    );
    const members = topology.nodes.filter((n) => n.facts?.galera);
    metric(
      "mariner_galera_synced",
      "1 when the Galera node is Synced in a primary component",
      "gauge",
      members.map((n) => [
        { environment: n.name },
        n.facts!.galera!.state === "Synced" && n.facts!.galera!.clusterStatus === "Primary" ? 1 : 0,
      ]),
    );
    metric(
      "mariner_galera_cluster_size",
      "Members in the Galera node's component",
      "gauge",
      members.map((n) => [{ environment: n.name }, n.facts!.galera!.clusterSize]),
    );
    metric(
      "mariner_galera_flow_control_paused",
      "Fraction of time replication was paused by flow control (since the last FLUSH STATUS)",
      "gauge",
      members.map((n) => [{ environment: n.name }, n.facts!.galera!.flowControlPaused]),
    );
    metric(
      "mariner_galera_recv_queue",
      "Write-sets received and not yet applied",
      "gauge",
      members.map((n) => [{ environment: n.name }, n.facts!.galera!.recvQueue]),
    );
    metric(
      "mariner_slave_io_running",
      "1 when the slave IO thread runs",
      "gauge",
      topology.edges.map((e) => [{ environment: e.to, master: e.from, connection: e.connection }, e.ioRunning ? 1 : 0]),
    );
    metric(
      "mariner_slave_sql_running",
      "1 when the slave SQL thread runs",
      "gauge",
      topology.edges.map((e) => [
        { environment: e.to, master: e.from, connection: e.connection },
        e.sqlRunning ? 1 : 0,
      ]),
    );
    metric(
      "mariner_slave_seconds_behind_master",
      "Seconds_Behind_Master (-1 when unknown)",
      "gauge",
      topology.edges.map((e) => [
        { environment: e.to, master: e.from, connection: e.connection },
        e.secondsBehind ?? -1,
      ]),
    );
    const samples = await db().lagSample.findMany({
      where: { environmentId: { in: envs.map((e) => e.id) }, canaryMs: { not: null } },
      orderBy: { at: "desc" },
      distinct: ["environmentId"],
    });
    metric(
      "mariner_canary_milliseconds",
      "Last canary propagation master→slave",
      "gauge",
      samples.map((s) => [{ environment: envs.find((e) => e.id === s.environmentId)!.name }, s.canaryMs!]),
    );
    const ops = await db().operation.groupBy({
      by: ["action", "status"],
      _count: { _all: true },
      where: actor.role === "admin" ? {} : { environmentId: { in: envs.map((e) => e.id) } },
    });
    metric(
      "mariner_operations_total",
      "Operations by action and result",
      "counter",
      ops.map((o) => [{ action: o.action, status: o.status }, o._count._all]),
    );
    return new Response(lines.join("\n") + "\n", { headers: { "content-type": "text/plain; version=0.0.4" } });
  });
}
