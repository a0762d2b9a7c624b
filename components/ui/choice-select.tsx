import type { SelectHTMLAttributes } from "react";

/**
 * A filter's select: "every …" (the empty value) first, then the choices. Controlled or not, as the caller's
 * props say (a GET form's `name`/`defaultValue`, or `value`/`onChange`).
 */
export function ChoiceSelect({
  label,
  every,
  choices,
  className = "",
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; every: string; choices: string[] }) {
  return (
    <select
      aria-label={label}
      className={`rounded-md border border-slate-300 bg-white px-2 py-1 ${className}`}
      {...props}
    >
      <option value="">{every}</option>
      {choices.map((c) => (
        <option key={c}>{c}</option>
      ))}
    </select>
  );
}
