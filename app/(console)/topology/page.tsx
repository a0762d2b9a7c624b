import { AutoRefresh } from "@/components/ui/auto-refresh";
import { Card } from "@/components/ui/card";
import { DoctorPanel } from "@/components/topology/doctor-panel";
import { TopologyGraph } from "@/components/topology/topology-graph";
import { requireActor } from "@/lib/auth/session";
import { listEnvironments } from "@/lib/environments/service";
import { discoverTopology } from "@/lib/topology/discover";
import { diagnose } from "@/lib/topology/doctor";

export const metadata = { title: "Topology" };

export default async function TopologyPage() {
  const actor = await requireActor();
  const envs = await listEnvironments(actor);
  const [topology, findings] = await Promise.all([discoverTopology(actor, envs), diagnose(actor)]);
  return (
    <div className="space-y-4">
      <AutoRefresh intervalMs={4000} />
      <h1 className="text-xl font-semibold">Topology</h1>
      <Card title="Replication graph">
        <TopologyGraph topology={topology} />
        <p className="mt-3 text-xs text-slate-500">
          Green: replicating (lag shown) · amber dashes: connecting · grey dashes: stopped · red: error or a problem.
          Click a server to act on it.
        </p>
      </Card>
      <Card title="Replication doctor">
        <DoctorPanel findings={findings} />
      </Card>
    </div>
  );
}
