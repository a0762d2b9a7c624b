import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { requireActor } from "@/lib/auth/session";
import { listHosts } from "@/lib/runtime/hosts";
import { AddHostForm, CopyImagesButton, RemoveHostButton } from "@/components/admin/host-forms";
import { Table } from "@/components/ui/table";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { SwarmCard } from "@/components/admin/swarm-card";

export const metadata = { title: "Docker hosts" };

export default async function HostsPage() {
  const actor = await requireActor();
  if (actor.role !== "admin") notFound();
  const all = await listHosts();
  const hosts = all.filter((h) => h.kind !== "swarm");
  const swarms = all.filter((h) => h.kind === "swarm");
  return (
    <div className="grid gap-4 md:grid-cols-[2fr_1fr]">
      <AutoRefresh intervalMs={5000} />
      <div className="space-y-4">
        <Card title="Docker hosts">
          {hosts.length === 0 ? (
            <p className="text-sm text-slate-500">
              No Docker host yet: environments run as local processes. Add an engine to place environments on it.
            </p>
          ) : (
            <Table columns={["Name", "Endpoint", "Servers at", "Health", "Environments", ""]} data-testid="hosts-table">
              {hosts.map((h) => (
                <tr key={h.name} className="border-t border-slate-100 align-top">
                  <td className="py-1.5 font-medium">{h.name}</td>
                  <td className="py-1.5 font-mono text-xs">
                    {h.endpoint}
                    {h.tls && <span className="ml-1 font-sans text-emerald-700">TLS</span>}
                  </td>
                  <td className="py-1.5 font-mono text-xs">{h.advertisedAddress ?? "this machine (loopback)"}</td>
                  <td className={`py-1.5 ${h.health.ok ? "text-emerald-700" : "text-red-700"}`}>
                    {h.health.ok
                      ? `Docker ${h.health.version} · ${h.health.memoryMb} MB · image ${h.health.image ? "present" : "missing"}`
                      : h.health.error}
                    {h.health.ok && !h.health.image && <CopyImagesButton name={h.name} />}
                  </td>
                  <td className="py-1.5">{h.environments}</td>
                  <td className="py-1.5 text-right">
                    <RemoveHostButton name={h.name} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
        {swarms.map((s) => (
          <SwarmCard key={s.name} swarm={s} />
        ))}
      </div>
      <Card title="Add host">
        <AddHostForm />
      </Card>
    </div>
  );
}
