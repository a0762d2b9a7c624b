import { diffLines } from "@/lib/mycnf/diff";

/** A line diff of two my.cnf texts, additions green and removals red. */
export function DiffView({ before, after, label }: { before: string; after: string; label?: string }) {
  return (
    <pre aria-label={label} className="max-h-96 overflow-auto rounded-md border border-slate-200 font-mono text-xs">
      {diffLines(before, after).map((l, i) => (
        <div
          key={i}
          className={
            l.op === "+" ? "bg-emerald-50 text-emerald-900" : l.op === "-" ? "bg-red-50 text-red-900" : "text-slate-600"
          }
        >
          {l.op} {l.text}
        </div>
      ))}
    </pre>
  );
}
