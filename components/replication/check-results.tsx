export type CheckResult = {
  slaves: { environment: string; arrived: boolean; ms: number | null; databaseVisible: boolean }[];
};

/** Check replication: per slave, whether the canary row arrived (and after how long) and the new database shows. */
export function CheckResults({ check }: { check: CheckResult }) {
  return (
    <div data-testid="check-results">
      {check.slaves.length === 0 ? (
        <p className="text-slate-500">No environment of yours replicates from this one.</p>
      ) : (
        <table className="w-full text-left text-xs">
          <thead className="text-slate-500">
            <tr>
              <th>Slave</th>
              <th>Canary row</th>
              <th>Database list</th>
            </tr>
          </thead>
          <tbody>
            {check.slaves.map((s) => (
              <tr key={s.environment} className="border-t border-slate-100">
                <td className="py-1">{s.environment}</td>
                <td className={s.arrived ? "text-emerald-700" : "text-red-700"}>
                  {s.arrived ? `arrived after ${s.ms} ms` : "did not arrive within 5 s"}
                </td>
                <td className={s.databaseVisible ? "text-emerald-700" : "text-red-700"}>
                  {s.databaseVisible ? "new database visible" : "new database missing"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
