import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { requireActor } from "@/lib/auth/session";
import { defaultLimits, listUsersWithQuotas, type Quota } from "@/lib/quotas";
import { AddUserForm } from "@/components/admin/add-user-form";
import { LimitsForm } from "@/components/admin/limits-form";
import { Table } from "@/components/ui/table";

export const metadata = { title: "Users" };

function usage(part: Quota["environments"], unit = "") {
  if (part.limit === null) return `${part.used}${unit} (no quota)`;
  return `${part.used}${unit} of ${part.limit}${unit}${part.isDefault ? " (default)" : ""}`;
}

export default async function UsersPage() {
  const actor = await requireActor();
  if (actor.role !== "admin") notFound();
  const users = await listUsersWithQuotas(actor);
  const limitable = users
    .filter((u) => !u.quota.unlimited)
    .map((u) => ({
      id: u.id,
      email: u.email,
      maxEnvironments: u.quota.environments.isDefault ? null : u.quota.environments.limit,
      maxMemoryMb: u.quota.memoryMb.isDefault ? null : u.quota.memoryMb.limit,
    }));
  return (
    <div className="grid gap-4 md:grid-cols-[2fr_1fr]">
      <Card title="Users">
        <Table columns={["E-mail", "Role", "Environments", "Memory", "Since"]}>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-row-${u.email}`} className="border-t border-slate-100">
              <td className="py-1.5">{u.email}</td>
              <td className="py-1.5">{u.role}</td>
              <td className="py-1.5">{usage(u.quota.environments)}</td>
              <td className="py-1.5">{usage(u.quota.memoryMb, " MB")}</td>
              <td className="py-1.5 text-slate-500">{u.createdAt.toISOString().slice(0, 10)}</td>
            </tr>
          ))}
        </Table>
      </Card>
      <div className="space-y-4">
        <Card title="Add user">
          <AddUserForm />
        </Card>
        <Card title="Quota">
          <LimitsForm users={limitable} defaults={defaultLimits()} />
        </Card>
      </div>
    </div>
  );
}
