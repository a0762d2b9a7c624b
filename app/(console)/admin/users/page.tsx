import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { requireActor } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";
import { AddUserForm } from "./add-user-form";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  const actor = await requireActor();
  if (actor.role !== "admin") notFound();
  const users = await listUsers(actor);
  return (
    <div className="grid gap-4 md:grid-cols-[2fr_1fr]">
      <Card title="Users">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">E-mail</th>
              <th className="py-1">Role</th>
              <th className="py-1">Since</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-t border-slate-100">
                <td className="py-1.5">{u.email}</td>
                <td className="py-1.5">{u.role}</td>
                <td className="py-1.5 text-slate-500">{u.createdAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title="Add user">
        <AddUserForm />
      </Card>
    </div>
  );
}
