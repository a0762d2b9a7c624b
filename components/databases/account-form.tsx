"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { createAccountAction } from "@/app/(console)/environments/[name]/databases/actions";
import { Button } from "@/components/ui/button";
import { CopyBlock } from "@/components/ui/copy-block";
import { ErrorLines } from "@/components/ui/error-lines";
import { Field } from "@/components/ui/field";
import { createUserSql, grantPlan, LEVEL_LABELS, LEVELS, type Level } from "@/lib/accounts/privileges";

const CHOICES = ["none", ...LEVELS] as const;

/** A select of a database level ("No access" … "All"), labelled for screen readers and tests. */
export function LevelSelect({
  label,
  value,
  onChange,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: Level | "none") => void;
  disabled?: boolean;
}) {
  return (
    <select
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value as Level | "none")}
      className="rounded-md border border-slate-300 bg-white px-1.5 py-1 text-xs disabled:bg-slate-50"
    >
      {value === "custom" && <option value="custom">Custom</option>}
      {CHOICES.map((l) => (
        <option key={l} value={l}>
          {LEVEL_LABELS[l]}
        </option>
      ))}
    </select>
  );
}

/** New application account: the statements it will run are shown (password masked) before "Create account". */
export function AccountForm({ name, databases }: { name: string; databases: string[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [user, setUser] = useState("");
  const [host, setHost] = useState("%");
  const [typed, setTyped] = useState("");
  const [requireSsl, setRequireSsl] = useState(false);
  const [levels, setLevels] = useState<Record<string, Level | "none">>({});
  const [error, setError] = useState<{ message: string; lines: string[] } | null>(null);
  const [created, setCreated] = useState<{ user: string; host: string; password: string | null } | null>(null);
  const grants = Object.entries(levels)
    .filter(([, l]) => l !== "none")
    .map(([database, level]) => ({ database, level }));
  const preview = [
    createUserSql(user || "…", host, null, requireSsl),
    ...grants.flatMap((g) => grantPlan(user || "…", host, g.database, [], g.level)),
  ];
  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    startTransition(async () => {
      const res = await createAccountAction(name, {
        user,
        host,
        requireSsl,
        grants,
        ...(typed ? { password: typed } : {}),
      });
      if (!res.ok) return setError({ message: res.error, lines: res.lines });
      setCreated({ user: res.user, host: res.host, password: res.password });
      setUser("");
      setTyped("");
      setLevels({});
      router.refresh();
    });
  }
  return (
    <form onSubmit={submit} className="mt-4 space-y-3 border-t border-slate-100 pt-4" aria-label="Create account">
      <h3 className="text-sm font-semibold text-slate-700">New application account</h3>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Field id="account-user" label="User" value={user} onChange={(e) => setUser(e.target.value)} required />
        <Field
          id="account-host"
          label="Host"
          value={host}
          onChange={(e) => setHost(e.target.value)}
          hint="% (anywhere), an address or a pattern such as 10.0.%"
        />
        <Field
          id="account-password"
          label="Password"
          type="password"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder="leave empty to generate one"
          autoComplete="new-password"
        />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={requireSsl} onChange={(e) => setRequireSsl(e.target.checked)} />
        Require TLS (REQUIRE SSL)
      </label>
      {databases.length > 0 ? (
        <div className="flex flex-wrap gap-4 text-sm">
          {databases.map((d) => (
            <label key={d} className="flex items-center gap-2">
              <span className="font-mono">{d}</span>
              <LevelSelect
                label={`Access to ${d}`}
                value={levels[d] ?? "none"}
                onChange={(v) => setLevels((l) => ({ ...l, [d]: v }))}
              />
            </label>
          ))}
        </div>
      ) : (
        <p className="text-sm text-slate-600">Create a database first to give the account access to it.</p>
      )}
      <div>
        <p className="text-xs font-medium text-slate-600">Will run:</p>
        <pre className="overflow-x-auto rounded-md bg-slate-50 p-2 font-mono text-xs" data-testid="account-preview">
          {preview.join(";\n")};
        </pre>
      </div>
      <Button type="submit" disabled={pending || !user}>
        Create account
      </Button>
      {error && <ErrorLines message={error.message} lines={error.lines} />}
      {created && (
        <div role="status" className="space-y-1 text-sm">
          <p>
            Created <span className="font-mono">{`'${created.user}'@'${created.host}'`}</span>
            {created.password ? ": its generated password, shown once:" : "."}
          </p>
          {created.password && <CopyBlock text={created.password} />}
        </div>
      )}
    </form>
  );
}
