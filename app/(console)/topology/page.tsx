import { Card } from "@/components/ui/card";
import { DoctorPanel } from "@/components/topology/doctor-panel";
import { FleetMap } from "@/components/topology/fleet-map";
import { requireActor } from "@/lib/auth/session";
import { ownerEmails } from "@/lib/auth/users";
import { visibleEnvironments } from "@/lib/environments/visible";
import { discoverTopology } from "@/lib/topology/discover";
import { diagnose } from "@/lib/topology/doctor";
import { fleetFiltersFrom } from "@/lib/topology/fleet-filters";
import { fleetMap } from "@/lib/topology/map-model";

export const metadata = { title: "Topology" };

/** How old a read of the monitor's may be to be shown here; older than REFRESH_AFTER_MS, it is read again. */
const MAX_AGE_MS = 15_000;
const REFRESH_AFTER_MS = 3_000;

export default async function TopologyPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const actor = await requireActor();
  const envs = await visibleEnvironments(actor);
  const [topology, emails] = await Promise.all([
    discoverTopology(actor, envs, { maxAgeMs: MAX_AGE_MS, refreshAfterMs: REFRESH_AFTER_MS }),
    ownerEmails(
      actor,
      envs.map((e) => e.ownerId),
    ),
  ]);
  const findings = await diagnose(actor, { envs, topology });
  // An admin sees whose each server is; their own are "you".
  const owners = actor.role === "admin" ? new Map([...emails, [actor.id, "you"]]) : new Map<string, string>();
  const map = fleetMap(topology, envs, owners, actor.id);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Topology</h1>
      <FleetMap
        map={map}
        initial={fleetFiltersFrom(await searchParams)}
        owners={[...new Set(owners.values())].sort()}
      />
      <Card title="Replication doctor">
        <DoctorPanel findings={findings} />
      </Card>
    </div>
  );
}
