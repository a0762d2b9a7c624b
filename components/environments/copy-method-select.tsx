/**
 * How Add slave, Clone and backups copy the data: physical files (fast at any size) or a logical dump (portable,
 * per database). Without a physical copier on the runtime, logical is the only choice offered.
 */
export function CopyMethodSelect({ id, physical, label = "Copy" }: { id: string; physical: boolean; label?: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select id={id} name="method" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
        {physical && <option value="physical">Physical (mariadb-backup)</option>}
        <option value="logical">Logical (mariadb-dump)</option>
      </select>
    </div>
  );
}

export const copyMethodHint = (physical: boolean) =>
  physical
    ? "Physical copies the data files of a healthy slave (else this server) with mariadb-backup: fastest at any size. Logical replays a mariadb-dump."
    : "This runtime copies data logically (mariadb-dump) only.";
