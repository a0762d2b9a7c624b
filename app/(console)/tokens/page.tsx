import { Card } from "@/components/ui/card";
import { requireActor } from "@/lib/auth/session";
import { listTokens } from "@/lib/auth/users";
import { TokenControls, RevokeButton } from "@/components/tokens/token-controls";
import { Table } from "@/components/ui/table";

export const metadata = { title: "API tokens" };

export default async function TokensPage() {
  const actor = await requireActor();
  const tokens = await listTokens(actor);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">API tokens</h1>
      <p className="text-sm text-slate-600">
        Send a token as <code className="rounded bg-slate-100 px-1">Authorization: Bearer …</code> to{" "}
        <code className="rounded bg-slate-100 px-1">/api/v1</code>. Or get one with{" "}
        <code className="rounded bg-slate-100 px-1">POST /api/v1/auth/token {"{email, password}"}</code>.
      </p>
      <Card title="Create a token">
        <TokenControls />
      </Card>
      <Card title="Your tokens">
        <Table columns={["Name", "Starts with", "Created", "Last used", ""]}>
          {tokens.map((t) => (
            <tr key={t.id} className="border-t border-slate-100">
              <td className="py-1.5">{t.name}</td>
              <td className="py-1.5 font-mono">{t.prefix}…</td>
              <td className="py-1.5">{t.createdAt.toISOString().replace("T", " ").slice(0, 16)}</td>
              <td className="py-1.5">{t.lastUsedAt?.toISOString().replace("T", " ").slice(0, 16) ?? "never"}</td>
              <td className="py-1.5 text-right">
                {t.revokedAt ? <span className="text-slate-400">revoked</span> : <RevokeButton id={t.id} />}
              </td>
            </tr>
          ))}
        </Table>
      </Card>
    </div>
  );
}
