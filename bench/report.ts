// bench/results.md from the rows of a run (bench/run.ts writes both; the table can be re-rendered from results.json).

export interface ResultRow {
  figure: string;
  /** NaN in a run, null once through JSON: the figure failed (its reason is in `failed` and in the figure). */
  value: number | null;
  baseline: number | null;
  unit: string;
  goal: string;
  ratio: number | null;
  failed?: string;
}

/** kB figures keep a decimal (pages differ by a few kB); other figures under 100 keep one. */
const num = (x: number, unit: string) => x.toFixed(unit === "kB" || x < 100 ? 1 : 0);

export function renderMarkdown(rows: ResultRow[]): string {
  return [
    "| figure | Mariner | same-run baseline (raw, or as named) | ratio | goal |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows.map((r) => {
      // A figure whose measurement failed is never printed as a number.
      if (r.value === null || !Number.isFinite(r.value)) return `| ${r.figure} | FAILED | — | — | ${r.goal} |`;
      const baseline = r.baseline ? `${num(r.baseline, r.unit)} ${r.unit}` : "—";
      return `| ${r.figure} | ${num(r.value, r.unit)} ${r.unit} | ${baseline} | ${r.ratio ? `${r.ratio.toFixed(2)}×` : "—"} | ${r.goal} |`;
    }),
  ].join("\n");
}
