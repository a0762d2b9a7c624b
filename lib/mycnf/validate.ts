import { normalizeKey, parseMyCnf, serverOptions, setServerOptions } from "./parse";
import { MANAGED_OPTIONS, policyProblems, type PolicyContext } from "./policy";

export interface ConfigProblem {
  line?: number;
  message: string;
}

export interface ConfigReview {
  /** The candidate with the console's wiring re-asserted: what would be written. */
  content: string;
  /** What the console changed, and why. */
  notices: string[];
  /** Allowed but risky: shown before saving. */
  warnings: string[];
  /** Any error means nothing is applied. */
  errors: ConfigProblem[];
  serverId: number | null;
}

export const MAX_MYCNF_BYTES = 64 * 1024;

/**
 * Reviews a user's my.cnf before anything touches the server: syntax, console-managed keys (re-asserted),
 * server-id, the option policy (lib/mycnf/policy.ts) and risky options. `wiring` holds the managed values (datadir,
 * socket, secure-file-priv, …) except server-id; a managed key without a value there (user, when the server runs
 * as its own uid) is removed.
 */
export function reviewConfig(
  text: string,
  wiring: Record<string, string>,
  currentServerId: number,
  policy: PolicyContext,
): ConfigReview {
  const errors: ConfigProblem[] = [];
  const notices: string[] = [];
  const warnings: string[] = [];
  if (Buffer.byteLength(text) > MAX_MYCNF_BYTES) {
    return {
      content: text,
      notices,
      warnings,
      errors: [{ message: `my.cnf is larger than ${MAX_MYCNF_BYTES / 1024} kB` }],
      serverId: null,
    };
  }
  if (text.includes("\0"))
    return { content: text, notices, warnings, errors: [{ message: "my.cnf contains a NUL byte" }], serverId: null };

  const lines = parseMyCnf(text);
  for (const l of lines) {
    if (l.kind === "invalid") errors.push({ line: l.n, message: l.reason });
    if (l.kind === "directive")
      errors.push({
        line: l.n,
        message: `${l.raw.trim().split(/\s/)[0]} is not allowed: the console must see the whole configuration`,
      });
  }
  errors.push(...policyProblems(lines, policy));
  const options = serverOptions(lines);

  const fixes: Record<string, string | null> = {};
  // The wiring's keys, plus any the node manages besides (a Galera member's wsrep settings, in `wiring` too).
  for (const key of new Set<string>([...MANAGED_OPTIONS, ...Object.keys(wiring)])) {
    if (key === "server-id") continue;
    const opt = options.get(key);
    if (!(key in wiring)) {
      if (opt) {
        fixes[key] = null;
        notices.push(`${key} is managed by Mariner: removed line ${opt.n} (the server runs as its own user)`);
      }
    } else if (!opt) {
      fixes[key] = wiring[key];
      notices.push(`${key} is managed by Mariner: restored ${wiring[key]}`);
    } else if (opt.value !== wiring[key]) {
      fixes[key] = wiring[key];
      notices.push(
        `${key} is managed by Mariner: kept ${wiring[key]} (line ${opt.n} asked for ${opt.value ?? "(no value)"})`,
      );
    }
  }

  let serverId: number | null = currentServerId;
  const sid = options.get("server-id");
  if (!sid) {
    fixes["server-id"] = String(currentServerId);
    notices.push(`server-id restored to ${currentServerId}: every server needs a unique one for replication`);
  } else {
    const n = Number(sid.value);
    if (!sid.value || !/^\d+$/.test(sid.value) || n < 1 || n > 4294967295) {
      errors.push({
        line: sid.n,
        message: `server-id must be a whole number from 1 to 4294967295 (got ${sid.value ?? "nothing"})`,
      });
      serverId = null;
    } else serverId = n;
  }

  const format = options.get("binlog-format")?.value?.toLowerCase();
  if (format === "statement") {
    warnings.push(
      'binlog-format = statement: statements like UUID() or LIMIT without ORDER BY replicate differently and break slaves later on. Use "mixed" (or "row").',
    );
  }
  if (options.has("slave-skip-errors") || options.has("replica-skip-errors")) {
    warnings.push(
      "slave-skip-errors makes the slave silently skip failing events: its data diverges from the master while both threads still say Yes. It cannot be changed without a restart.",
    );
  }
  const content = Object.keys(fixes).length ? setServerOptions(text, fixes) : text;
  return { content, notices, warnings, errors, serverId };
}

/** Turns mariadbd's complaint about a candidate file into the offending line of that file. */
export function locateServerError(text: string, message: string): ConfigProblem {
  const m =
    /unknown (?:variable|option) '(?:--)?([^'=]+)/.exec(message) ??
    /Error while setting value '[^']*' to '([^']+)'/.exec(message) ??
    /option '(?:--)?([^']+)'/.exec(message);
  const cleaned = message.replace(/^\S+\s+\S+\s+\d+\s+/, "").trim();
  if (!m) return { message: cleaned };
  const key = normalizeKey(m[1]);
  const opt = [...parseMyCnf(text)].reverse().find((l) => l.kind === "option" && normalizeKey(l.key) === key);
  return { line: opt?.n, message: cleaned };
}
