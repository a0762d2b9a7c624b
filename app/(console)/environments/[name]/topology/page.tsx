import { EnvironmentTopology } from "@/components/topology/environment-topology";
import { driverFor } from "@/lib/runtime";
import { pageEnvironment } from "@/lib/environments/page";
import { currentRevision } from "@/lib/environments/config-revisions";
import { discoverTopology } from "@/lib/topology/discover";
import { getHealing, preflight, semiSyncView } from "@/lib/topology";
import { SemiSyncCard } from "@/components/topology/semi-sync-card";
import { HealingCard } from "@/components/topology/healing-card";

export const metadata = { title: "Topology" };

export default async function EnvironmentTopologyPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor, env } = await pageEnvironment(name);
  const topology = await discoverTopology(actor);
  const self = topology.nodes.find((n) => n.name === name)!;
  const slaves = topology.edges.filter((e) => e.from === name).map((e) => e.to);
  const edge = topology.edges.find((e) => e.to === name && e.connection === "") ?? null;
  const namedSources = topology.edges
    .filter((e) => e.to === name && e.connection !== "")
    .map((e) => ({ from: e.from, connection: e.connection, state: e.health.state }));
  const [report, revision, healing] = await Promise.all([
    slaves.length ? preflight(actor, name) : null,
    currentRevision(env.id),
    getHealing(actor, name),
  ]);
  const semiSync = semiSyncView(env, self.facts?.semiSync ?? null);
  const moveTargets = topology.nodes.filter((n) => n.name !== name && n.facts).map((n) => n.name);
  return (
    <div className="space-y-4">
      <EnvironmentTopology
        name={name}
        running={env.status === "running"}
        facts={
          self.facts
            ? { logBin: self.facts.logBin, logSlaveUpdates: self.facts.logSlaveUpdates, readOnly: self.facts.readOnly }
            : null
        }
        master={self.master}
        slaves={slaves}
        filters={edge?.filters ?? {}}
        configRevision={revision?.id}
        namedSources={namedSources}
        preflight={report}
        moveTargets={moveTargets}
        autoFailover={env.autoFailover}
        confirmMs={env.failoverConfirmMs}
        failoverPolicyRevision={env.failoverPolicyRevision}
        physicalCopy={!!driverFor(env.runtime).physical}
      />
      {!self.master && self.facts?.logBin && <SemiSyncCard name={name} view={JSON.parse(JSON.stringify(semiSync))} />}
      {healing.onSwarm && !self.master && (
        <HealingCard name={name} keepSlaves={healing.keepSlaves} recent={healing.recent} />
      )}
    </div>
  );
}
