"use client";
import { useState } from "react";
import { revealPasswordAction } from "@/app/(console)/environments/actions";
import { Button } from "@/components/ui/button";

export function Credentials({ name, host, port }: { name: string; host: string; port: number }) {
  const [password, setPassword] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  async function reveal() {
    const res = await revealPasswordAction(name);
    if (res.ok) setPassword(res.password);
    else setError(res.error);
  }

  async function copy() {
    const res = password ? { ok: true as const, password } : await revealPasswordAction(name);
    if (!res.ok) return setError(res.error);
    await navigator.clipboard?.writeText(res.password).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <div className="space-y-3 text-sm">
      <dl className="grid grid-cols-[6rem_1fr] items-center gap-y-1.5">
        <dt className="text-slate-500">Host</dt>
        <dd className="font-mono">{host}</dd>
        <dt className="text-slate-500">Port</dt>
        <dd className="font-mono">{port}</dd>
        <dt className="text-slate-500">User</dt>
        <dd className="font-mono">root</dd>
        <dt className="text-slate-500">Password</dt>
        <dd className="flex items-center gap-2">
          <span className="font-mono" data-testid="root-password">
            {password ?? "••••••••••••"}
          </span>
          {!password && (
            <Button variant="secondary" onClick={reveal}>
              Reveal
            </Button>
          )}
          <Button variant="secondary" onClick={copy}>
            {copied ? "Copied" : "Copy"}
          </Button>
        </dd>
      </dl>
      <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">{`mariadb -h ${host} -P ${port} -u root -p`}</pre>
      {error && <p className="text-red-700">{error}</p>}
    </div>
  );
}
