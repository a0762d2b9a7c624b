import { Table } from "@/components/ui/table";
import type { Candidate } from "@/lib/topology";

/** The pre-flight's candidates, most advanced first, with why each one can or cannot be promoted. */
export function CandidatesTable({ candidates }: { candidates: Candidate[] }) {
  return (
    <Table columns={["Candidate", "Executed GTID", "Behind", "Lag", "Can be promoted"]}>
      {candidates.map((c) => (
        <tr key={c.name} className="border-t border-slate-100" data-candidate={c.name}>
          <td className="py-1 font-medium">{c.name}</td>
          <td className="font-mono text-xs">{c.gtid || "—"}</td>
          <td>{c.transactionsBehind} trx</td>
          <td>{c.secondsBehind ?? "—"} s</td>
          <td className={c.ok ? "text-emerald-700" : "text-red-700"}>{c.ok ? "yes" : c.reasons.join("; ")}</td>
        </tr>
      ))}
    </Table>
  );
}
