import { Card } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import type { listHosts } from "@/lib/runtime/hosts";
import { CheckSwarmImagesButton, RemoveHostButton } from "./host-forms";

type SwarmRow = Awaited<ReturnType<typeof listHosts>>[number];

/** One registered Swarm: its manager's health and every node as the manager sees it now. */
export function SwarmCard({ swarm }: { swarm: SwarmRow }) {
  const health = swarm.health;
  return (
    <Card title={`Swarm ${swarm.name}`}>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm">
        <span>
          <span className="font-mono text-xs">{swarm.endpoint}</span>
          {swarm.tls && <span className="ml-1 text-emerald-700">TLS</span>}
          <span className={`ml-3 ${health.ok ? "text-emerald-700" : "text-red-700"}`}>
            {health.ok ? `manager answers · Docker ${health.version}` : health.error}
          </span>
          <span className="ml-3 text-slate-600">{swarm.environments} environment(s)</span>
        </span>
        <span className="space-x-2">
          <CheckSwarmImagesButton name={swarm.name} />
          <RemoveHostButton name={swarm.name} />
        </span>
      </div>
      <Table
        columns={["Node", "Address", "Role", "Availability", "State", "Labels", "Engine", "Image", "Servers"]}
        data-testid={`swarm-nodes-${swarm.name}`}
      >
        {(swarm.nodes ?? []).map((n) => (
          <tr key={n.id} className="border-t border-slate-100">
            <td className="py-1.5 font-mono text-xs" title={n.id}>
              {n.hostname} · {n.id.slice(0, 10)}
            </td>
            <td className="py-1.5 font-mono text-xs">{n.address}</td>
            <td className="py-1.5">{n.leader ? "manager (leader)" : n.role}</td>
            <td className={n.availability === "active" ? "py-1.5" : "py-1.5 text-amber-700"}>{n.availability}</td>
            <td className={n.state === "ready" ? "py-1.5 text-emerald-700" : "py-1.5 text-red-700"}>{n.state}</td>
            <td className="py-1.5 font-mono text-xs">
              {Object.entries(n.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ") || "—"}
            </td>
            <td className="py-1.5 text-xs">{n.engineVersion}</td>
            <td className={n.image === "present" ? "py-1.5 text-emerald-700" : "py-1.5 text-slate-600"}>{n.image}</td>
            <td className="py-1.5">{n.servers}</td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}
