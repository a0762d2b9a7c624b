"use client";
import { usePathname, useRouter } from "next/navigation";

/** Chooses the account the snippets log in as (kept in the URL, so a copied link shows the same snippets). */
export function ConnectAs({ logins, chosen }: { logins: { key: string; label: string }[]; chosen: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  if (!logins.length) return <p className="text-sm text-slate-600">No application account yet.</p>;
  return (
    <div className="flex items-center gap-2 text-sm">
      <label htmlFor="connect-as" className="font-medium text-slate-700">
        Application account
      </label>
      <select
        id="connect-as"
        value={chosen ?? ""}
        onChange={(e) => router.push(`${pathname}?as=${encodeURIComponent(e.target.value)}`)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1"
      >
        {logins.map((l) => (
          <option key={l.key} value={l.key}>
            {l.label}
          </option>
        ))}
      </select>
    </div>
  );
}
