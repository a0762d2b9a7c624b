/** A line-preserving my.cnf model: edits keep the user's comments, order and spacing. */
export type CnfLine =
  | { n: number; raw: string; kind: "blank" | "comment" }
  | { n: number; raw: string; kind: "section"; section: string }
  | { n: number; raw: string; kind: "option"; section: string | null; key: string; value: string | null }
  | { n: number; raw: string; kind: "directive"; section: string | null }
  | { n: number; raw: string; kind: "invalid"; section: string | null; reason: string };

import { isServerGroup } from "./policy";

/** `innodb_buffer_pool_size`, `innodb-buffer-pool-size` and `loose-…` all name the same option. */
export function normalizeKey(key: string): string {
  return key
    .trim()
    .toLowerCase()
    .replace(/_/g, "-")
    .replace(/^loose-/, "");
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.at(-1) === '"') || (t[0] === "'" && t.at(-1) === "'")))
    return t.slice(1, -1);
  return t.replace(/\s+#.*$/, "").trim();
}

const MAX_LINE = 1024;

export function parseMyCnf(text: string): CnfLine[] {
  let section: string | null = null;
  return text.split("\n").map((raw, i): CnfLine => {
    const n = i + 1;
    const t = raw.trim();
    // mariadbd reads a file in 4 kB pieces and unescapes backslashes: either would make its reading differ from ours.
    if (raw.length > MAX_LINE)
      return { n, raw, kind: "invalid", section, reason: `Line longer than ${MAX_LINE} characters` };
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(raw.replace(/\r$/, "")))
      return { n, raw, kind: "invalid", section, reason: "Control character in the line" };
    if (t === "") return { n, raw, kind: "blank" };
    if (t.startsWith("#") || t.startsWith(";")) return { n, raw, kind: "comment" };
    if (t.startsWith("!")) return { n, raw, kind: "directive", section };
    if (t.startsWith("[")) {
      const m = /^\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$/.exec(t);
      if (!m) return { n, raw, kind: "invalid", section, reason: "Malformed section header (expected [name])" };
      section = m[1].toLowerCase();
      return { n, raw, kind: "section", section };
    }
    const eq = t.indexOf("=");
    const key = (eq === -1 ? t.replace(/\s+#.*$/, "") : t.slice(0, eq)).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(key))
      return {
        n,
        raw,
        kind: "invalid",
        section,
        reason: `"${t.slice(0, 60)}" is not an option (expected key = value)`,
      };
    if (section === null) return { n, raw, kind: "invalid", section, reason: "Option outside any [section]" };
    if (raw.includes("\\"))
      return { n, raw, kind: "invalid", section, reason: "Backslash escapes are not accepted in my.cnf" };
    return { n, raw, kind: "option", section, key, value: eq === -1 ? null : unquote(t.slice(eq + 1)) };
  });
}

type OptionLine = Extract<CnfLine, { kind: "option" }>;

/** Server options, last occurrence wins (as mariadbd reads them). */
export function serverOptions(lines: CnfLine[]): Map<string, OptionLine> {
  const out = new Map<string, OptionLine>();
  for (const l of lines) if (l.kind === "option" && isServerGroup(l.section)) out.set(normalizeKey(l.key), l);
  return out;
}

export function getServerOption(text: string, key: string): string | null | undefined {
  const opt = serverOptions(parseMyCnf(text)).get(normalizeKey(key));
  return opt ? opt.value : undefined;
}

/**
 * Sets server options: rewrites every existing occurrence (in any server group) in place, and appends missing
 * ones to the [mysqld] section (created if absent). `null` removes the option.
 */
export function setServerOptions(text: string, values: Record<string, string | null>): string {
  const wanted = new Map(Object.entries(values).map(([k, v]) => [normalizeKey(k), { key: k, value: v }]));
  const lines = parseMyCnf(text);
  const present = new Set(
    lines
      .filter((l) => l.kind === "option" && isServerGroup(l.section))
      .map((l) => normalizeKey((l as OptionLine).key)),
  );
  const additions = [...wanted.entries()]
    .filter(([k, w]) => !present.has(k) && w.value !== null)
    .map(([, w]) => `${w.key} = ${w.value}`);
  // Missing options go after the last option of [mysqld], before the blank lines/comments that end it.
  const mysqld = lines.findIndex((l) => l.kind === "section" && l.section === "mysqld");
  let insertAfter = mysqld;
  for (let i = mysqld + 1; mysqld !== -1 && i < lines.length && lines[i].kind !== "section"; i++)
    if (lines[i].kind === "option") insertAfter = i;

  const out: string[] = [];
  lines.forEach((l, i) => {
    const w = l.kind === "option" && isServerGroup(l.section) ? wanted.get(normalizeKey(l.key)) : undefined;
    if (!w) out.push(l.raw);
    else if (w.value !== null) out.push(`${(l as OptionLine).key} = ${w.value}`);
    if (i === insertAfter) out.push(...additions);
  });
  if (mysqld === -1 && additions.length) {
    while (out.length && out.at(-1) === "") out.pop();
    out.push("", "[mysqld]", ...additions, "");
  }
  return out.join("\n");
}

/** Replaces every occurrence of a repeatable option (replicate-do-db = a, replicate-do-db = b …) with `values`. */
export function setServerOptionList(text: string, key: string, values: string[]): string {
  const k = normalizeKey(key);
  const lines = parseMyCnf(text);
  const kept = lines
    .filter((l) => !(l.kind === "option" && isServerGroup(l.section) && normalizeKey(l.key) === k))
    .map((l) => l.raw);
  if (!values.length) return kept.join("\n");
  let out = kept.join("\n");
  // Reuse the single-option insertion point, then expand it into one line per value.
  const marker = "__mariner_list_marker__";
  out = setServerOptions(out, { [key]: marker });
  return out.replace(`${key} = ${marker}`, values.map((v) => `${key} = ${v}`).join("\n"));
}
