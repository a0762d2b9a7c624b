import type { ReactNode, TableHTMLAttributes } from "react";

/** A column heading: its label, or the label with extra classes (e.g. right-aligned numbers). */
export type Column = string | { label: string; className?: string };

/**
 * The console's one table: header row from `columns`, body rows as children (`<tr>` each, cells styled by the
 * caller). `framed` is the full-width list inside a card edge to edge; the default sits inside a card's padding.
 */
export function Table({
  columns,
  children,
  size = "sm",
  framed = false,
  ...rest
}: TableHTMLAttributes<HTMLTableElement> & {
  columns: Column[];
  children: ReactNode;
  size?: "sm" | "xs";
  framed?: boolean;
}) {
  const cell = framed ? "px-4 py-2" : "py-1";
  return (
    <table className={`w-full text-left ${size === "xs" ? "text-xs" : "text-sm"}`} {...rest}>
      <thead
        className={`uppercase text-slate-500 ${size === "xs" ? "" : "text-xs"} ${framed ? "bg-slate-50 tracking-wide" : ""}`}
      >
        <tr>
          {columns.map((c, i) => {
            const { label, className = "" } = typeof c === "string" ? { label: c } : c;
            return (
              <th key={i} className={`${cell} ${className}`.trim()}>
                {label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody className={framed ? "divide-y divide-slate-100" : undefined}>{children}</tbody>
    </table>
  );
}
