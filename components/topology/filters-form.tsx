"use client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

interface Props {
  /** The slave's SHOW SLAVE STATUS filter columns (Replicate_Wild_Do_Table …). */
  filters: Record<string, string>;
  pending: boolean;
  save: (doDb: string[], ignoreDb: string[]) => void;
}

/** Replicate only some databases: written as replicate-wild-(do|ignore)-table = db.% in the slave's my.cnf. */
export function FiltersForm({ filters, pending, save }: Props) {
  const wild = (key: string) => (filters[key] ?? "").split(",").filter(Boolean);
  return (
    <form
      className="mt-4 space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        save(list(String(f.get("doDb"))), list(String(f.get("ignoreDb"))));
      }}
    >
      <h3 className="text-sm font-semibold text-slate-700">Replicate only some databases</h3>
      <Field
        id="filter-do"
        name="doDb"
        label="Only these databases"
        placeholder="sales, hr"
        defaultValue={wild("Replicate_Wild_Do_Table")
          .map((w) => w.replace(/\.%$/, ""))
          .join(", ")}
      />
      <Field
        id="filter-ignore"
        name="ignoreDb"
        label="All but these databases"
        defaultValue={wild("Replicate_Wild_Ignore_Table")
          .map((w) => w.replace(/\.%$/, ""))
          .join(", ")}
      />
      <p className="text-xs text-slate-500">
        Written as replicate-wild-do-table = db.% (replicate-do-db silently drops writes made without USE db).
      </p>
      <Button type="submit" variant="secondary" disabled={pending}>
        Save filters
      </Button>
    </form>
  );
}
