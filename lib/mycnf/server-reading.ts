import { judgeOption, ruledOption, ruleKind, type PolicyContext } from "./policy";

/**
 * The second half of the my.cnf policy: what the binary itself made of a candidate. mariadbd accepts unique
 * prefixes of option names (`init-fil` = init_file) and merges nine groups, so the text alone is not the last
 * word; `mariadbd --help --verbose` prints every variable's resolved value and notes each abbreviation.
 */

/**
 * The "Variables (--variable-name=value)" table at the end of `--help --verbose`. A name printed twice means a value
 * smuggled a line break into the table: the reading cannot be trusted (null).
 */
export function resolvedVariables(help: string): Map<string, string> | null {
  const values = new Map<string, string>();
  const start = help.indexOf("\nVariables (--variable-name=value)");
  if (start === -1) return values;
  for (const line of help.slice(start).split("\n").slice(4)) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    if (values.has(m[1])) return null;
    values.set(m[1], m[2].trim() === "(No default value)" ? "" : m[2].trim());
  }
  return values;
}

/** Every option name the binary knows (the `--name` lines of `--help --verbose`, plugins it loaded included). */
function knownOptions(help: string): Set<string> {
  const end = help.indexOf("\nVariables (--variable-name=value)");
  const names = new Set<string>();
  for (const m of (end === -1 ? help : help.slice(0, end)).matchAll(/^\s+(?:-\w, )?--([A-Za-z0-9_-]+)/gm))
    names.add(m[1].toLowerCase().replace(/_/g, "-"));
  return names;
}

/** The option groups the binary says it reads ("The following groups are read: mysqld server …"). */
export function groupsRead(help: string): string[] {
  return /The following groups are read: (.*)/.exec(help)?.[1].trim().split(/\s+/) ?? [];
}

/** `--name=value` lines as my_print_defaults prints what the server would be started with. */
function parseArgs(printed: string[]): { name: string; value: string | null }[] {
  return printed
    .filter((l) => l.startsWith("--"))
    .map((l) => {
      const eq = l.indexOf("=");
      return eq === -1 ? { name: l.slice(2), value: null } : { name: l.slice(2, eq), value: l.slice(eq + 1) };
    });
}

/** Is `name` (as written, any spelling) exactly an option of this server, not an abbreviation of one? */
function isFullName(name: string, known: Set<string>): boolean {
  let k = name.toLowerCase().replace(/_/g, "-");
  while (k.startsWith("loose-")) k = k.slice("loose-".length);
  if (known.has(k)) return true;
  const m = /^(enable|disable|skip|maximum)-(.+)$/.exec(k);
  return !!m && known.has(m[2]);
}

export interface Abbreviation {
  written: string;
  full: string;
}

export function abbreviations(notes: string): Abbreviation[] {
  return [...notes.matchAll(/Using unique option prefix '([^']+)'.*?full name '([^']+)'/g)].map((m) => ({
    written: m[1],
    full: m[2],
  }));
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
  printedArgs: string[],
  managed: Record<string, string>,
  ctx: PolicyContext,
): ReadingProblem[] {
  const problems: ReadingProblem[] = abbreviations(notes).map(({ written, full }) => ({
    option: written,
    message: `"${written}" abbreviates ${full.replace(/_/g, "-")}: write option names in full`,
  }));
  // What the server would be started with (my_print_defaults, the binary's own file parser): names in full,
  // every value through the policy, managed keys as the console set them (the last occurrence wins).
  const known = knownOptions(help);
  const last = new Map<string, string | null>();
  for (const { name, value } of parseArgs(printedArgs)) {
    if (!isFullName(name, known)) {
      if (!problems.some((p) => p.option === name))
        problems.push({
          option: name,
          message: `"${name}" is not an option name of this server: write option names in full`,
        });
      continue;
    }
    const message = judgeOption(name, value, ctx);
    if (message) problems.push({ option: name, message });
    const ruled = ruledOption(name);
    if (
      !message &&
      ruled &&
      ruleKind(name) === "managed" &&
      !(ruled.canonical in managed) &&
      ruled.canonical !== "server-id"
    )
      problems.push({ option: name, message: `${ruled.canonical} is managed by Mariner: remove this line` });
    last.set(
      name
        .toLowerCase()
        .replace(/_/g, "-")
        .replace(/^(loose-)+/, ""),
      value,
    );
  }
  for (const [key, expected] of Object.entries(managed)) {
    const value = last.get(key);
    if (value !== undefined && (value === null || !samePath(value, expected)))
      problems.push({ message: `${key} is read as "${value ?? ""}" but Mariner manages it as "${expected}"` });
  }
  const values = resolvedVariables(help);
  if (values === null)
    return [...problems, { message: "a value spans several lines in mariadbd's reading; nothing was applied" }];
  if (!values.size)
    return [...problems, { message: "mariadbd did not print the values it resolved; nothing was applied" }];
  for (const [key, expected] of Object.entries(managed)) {
    const actual = values.get(key);
    if (actual !== undefined && !samePath(actual, expected))
      problems.push({ message: `${key} resolves to "${actual}" but Mariner manages it as "${expected}"` });
  }
  for (const [key, off] of Object.entries(MUST_BE_OFF)) {
    const actual = values.get(key);
    if (actual !== undefined && actual !== off)
      problems.push({ message: `${key} resolves to "${actual}": not allowed` });
  }
  for (const [key, value] of values) {
    const rule = ruledOption(key);
    // Forbidden options print their built-in defaults (basedir /usr/, extra-port 0): the text review judges them.
    if (!rule || rule.prefixed || key in managed || value === "" || key in MUST_BE_OFF || ruleKind(key) === "forbidden")
      continue;
    const message = judgeOption(key, value, ctx);
    if (message) problems.push({ message: `${key} resolves to "${value}": ${message}` });
  }
  return problems;
}
