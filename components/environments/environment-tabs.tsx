"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS = [
  { label: "Overview", path: "" },
  { label: "Config", path: "/config" },
  { label: "Replication", path: "/replication" },
  { label: "Topology", path: "/topology" },
  { label: "Backups", path: "/backups" },
  { label: "Databases", path: "/databases" },
  { label: "SQL", path: "/sql" },
  { label: "Connection", path: "/connection" },
];

export function EnvironmentTabs({ name }: { name: string }) {
  const pathname = usePathname();
  const base = `/environments/${name}`;
  return (
    <nav className="flex gap-1 border-b border-slate-200" aria-label="Environment sections">
      {TABS.map((t) => {
        const href = base + t.path;
        const active = pathname === href;
        return (
          <Link
            key={t.label}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-blue-700 text-blue-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
