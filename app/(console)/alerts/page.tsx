import { AutoRefresh } from "@/components/ui/auto-refresh";
import { Card } from "@/components/ui/card";
import { DeleteRuleButton, RuleForm } from "@/components/monitoring/rule-form";
import { requireActor } from "@/lib/auth/session";
import { listEnvironments } from "@/lib/environments/service";
import { listAlerts } from "@/lib/monitoring/alerts";

export const metadata = { title: "Alerts" };

export default async function AlertsPage() {
  const actor = await requireActor();
  const [{ rules, alerts }, envs] = await Promise.all([listAlerts(actor), listEnvironments(actor)]);
  const open = alerts.filter((a) => !a.clearedAt);
  return (
    <div className="space-y-4">
      <AutoRefresh intervalMs={3000} />
      <h1 className="text-xl font-semibold">Alerts</h1>
      <Card title={`Firing now (${open.length})`}>
        {open.length === 0 ? (
          <p className="text-sm text-emerald-700">All clear.</p>
        ) : (
          <ul className="space-y-1 text-sm" data-testid="open-alerts">
            {open.map((a) => (
              <li key={a.id} className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-900">
                <strong>{a.environment}</strong> · {a.message}{" "}
                <span className="text-xs text-red-700">since {a.firedAt.replace("T", " ").slice(0, 19)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Rules">
        <div className="space-y-3">
          <RuleForm environments={envs.map((e) => e.name)} />
          <table className="w-full text-left text-sm">
            <tbody>
              {rules.map((r) => (
                <tr key={r.id} className="border-t border-slate-100">
                  <td className="py-1.5">{r.environment}</td>
                  <td className="py-1.5">
                    {r.kind}
                    {r.kind === "lag" ? ` > ${r.thresholdSec} s` : ""}
                    {r.forSec ? ` for ${r.forSec} s` : ""}
                  </td>
                  <td className="py-1.5 font-mono text-xs text-slate-500">
                    {r.webhookUrl ?? ""}
                    {r.lastWebhookDelivery && !r.lastWebhookDelivery.ok && (
                      <span className="block font-sans text-red-700">
                        last delivery failed: {r.lastWebhookDelivery.detail}
                      </span>
                    )}
                  </td>
                  <td className="py-1.5 text-right">
                    <DeleteRuleButton id={r.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title="History">
        <table className="w-full text-left text-xs">
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id} className="border-t border-slate-100">
                <td className="py-1">{a.firedAt.replace("T", " ").slice(0, 19)}</td>
                <td className="py-1">{a.environment}</td>
                <td className="py-1">{a.message}</td>
                <td className="py-1">
                  {a.clearedAt ? `cleared ${a.clearedAt.replace("T", " ").slice(11, 19)}` : "firing"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
