/** How Add slave and Clone copy the data: physical files (fast at any size) or a logical dump (portable). */
export function CopyMethodSelect({ id, physical }: { id: string; physical: boolean }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        Copy
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
