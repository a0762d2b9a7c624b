import { judgeOption, ruledOption, ruleKind, type PolicyContext } from "./policy";

/**
 * The second half of the my.cnf policy: what the binary itself made of a candidate. mariadbd accepts unique
 * prefixes of option names (`init-fil` = init_file) and merges nine groups, so the text alone is not the last
 * word; `mariadbd --help --verbose` prints every variable's resolved value and notes each abbreviation.
 */

/** The "Variables (--variable-name=value)" table at the end of `--help --verbose`. */
export function resolvedVariables(help: string): Map<string, string> {
  const values = new Map<string, string>();
  const start = help.indexOf("\nVariables (--variable-name=value)");
  if (start === -1) return values;
  for (const line of help.slice(start).split("\n").slice(4)) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    values.set(m[1], m[2].trim() === "(No default value)" ? "" : m[2].trim());
  }
  return values;
}

export interface Abbreviation {
  written: string;
  full: string;
}

export function abbreviations(notes: string): Abbreviation[] {
  return [...notes.matchAll(/Using unique option prefix '([^']+)'.*?full name '([^']+)'/g)].map((m) => ({ written: m[1], full: m[2] }));
}

const samePath = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/** Variables that must read exactly "off"/empty whatever the text says. */
const MUST_BE_OFF: Record<string, string> = {
  "skip-grant-tables": "FALSE",
  "skip-networking": "FALSE",
  "allow-suspicious-udfs": "FALSE",
  "init-file": "",
  chroot: "",
};

export interface ReadingProblem {
  /** The option as written in the file, when the problem is one line. */
  option?: string;
  message: string;
}

/**
 * Problems in the binary's reading: abbreviated names, managed values not as the console set them, switches that
 * must stay off, and path/choice rules applied to the resolved values.
 */
export function judgeServerReading(
  help: string,
  notes: string,
  managed: Record<string, string>,
  ctx: PolicyContext,
): ReadingProblem[] {
  const problems: ReadingProblem[] = abbreviations(notes).map(({ written, full }) => ({
    option: written,
    message: `"${written}" abbreviates ${full.replace(/_/g, "-")}: write option names in full`,
  }));
  const values = resolvedVariables(help);
  if (!values.size) return [...problems, { message: "mariadbd did not print the values it resolved; nothing was applied" }];
  for (const [key, expected] of Object.entries(managed)) {
    const actual = values.get(key);
    if (actual !== undefined && !samePath(actual, expected))
      problems.push({ message: `${key} resolves to "${actual}" but Mariner manages it as "${expected}"` });
  }
  for (const [key, off] of Object.entries(MUST_BE_OFF)) {
    const actual = values.get(key);
    if (actual !== undefined && actual !== off) problems.push({ message: `${key} resolves to "${actual}": not allowed` });
  }
  for (const [key, value] of values) {
    const rule = ruledOption(key);
    // Forbidden options print their built-in defaults (basedir /usr/, extra-port 0): the text review judges them.
    if (!rule || rule.prefixed || key in managed || value === "" || key in MUST_BE_OFF || ruleKind(key) === "forbidden") continue;
    const message = judgeOption(key, value, ctx);
    if (message) problems.push({ message: `${key} resolves to "${value}": ${message}` });
  }
  return problems;
}

