import path from "node:path";
import type { CnfLine } from "./parse";

/**
 * What a tenant may put in a server's my.cnf: one table of option rules, applied to every group mariadbd reads and
 * to every spelling of an option (`loose-`, `enable-`, `disable-`, `skip-`, `maximum-`, `_` vs `-`). A tenant is
 * root on its own server and nothing more, so nothing here may reach outside the node directory, load native code
 * of the tenant's choosing, or open the server up. Abbreviated option names (mariadbd accepts unique prefixes) are
 * caught by asking the binary (see `judgeServerReading`), which also re-checks the values it actually resolved.
 */

/** The groups `mariadbd --help --verbose` says it reads (10.11), versioned ones for any version. */
const SERVER_GROUP = /^(mysqld|server|mariadb|mariadbd)(-\d+(\.\d+)*)?$|^(client-server|galera)$/;
export const isServerGroup = (group: string | null) => group !== null && SERVER_GROUP.test(group);

export interface PolicyContext {
  /** The node directory: data/, tls/ and files/ live under it. */
  nodeDir: string;
  /** Where the node's TLS files are when not in nodeDir/tls (a Swarm mounts them from its configs and secrets). */
  tlsDir?: string;
  /** Plugin libraries shipped with the server (file names in the system plugin directory). */
  shippedPlugins: ReadonlySet<string>;
  /** Options the console writes on this node besides its wiring (a Galera member's wsrep settings). */
  alsoManaged?: ReadonlySet<string>;
  /**
   * A shell script reads this file too (a Galera member's SST script evaluates values such as
   * innodb_buffer_pool_size unquoted): values may not carry shell syntax.
   */
  readByShell?: boolean;
}

/** Characters a shell would act on in an unquoted value. */
const SHELL_SYNTAX = /[`$;|&<>()\\]/;

type Rule =
  | { kind: "managed" }
  | { kind: "forbidden"; reason: string }
  | { kind: "path"; within: PathRoot }
  | { kind: "file-list" }
  | { kind: "plain-name" }
  | { kind: "plugins" }
  | { kind: "one-of"; values: string[]; reason: string };

const forbidden = (reason: string): Rule => ({ kind: "forbidden", reason });
const inData: Rule = { kind: "path", within: "data" };
const inTls: Rule = { kind: "path", within: "data-or-tls" };
const inTmp: Rule = { kind: "path", within: "data-or-tmp" };

/** Keys the console writes itself (re-asserted on every save, see reviewConfig); other spellings are refused. */
export const MANAGED_OPTIONS = [
  "datadir",
  "socket",
  "pid-file",
  "log-error",
  "tmpdir",
  "bind-address",
  "port",
  "server-id",
  "user",
  "secure-file-priv",
  "plugin-dir",
] as const;

const RULES: Record<string, Rule> = {
  ...Object.fromEntries(MANAGED_OPTIONS.map((k) => [k, { kind: "managed" } as Rule])),
  "skip-networking": forbidden(
    "skip-networking would make the server unreachable over TCP (the console, slaves and applications use TCP)",
  ),
  "skip-grant-tables": forbidden("skip-grant-tables would let anyone log in without a password"),
  "init-file": forbidden(
    "init-file runs a file of the server's choosing at start-up: run the statements once in the SQL tab instead",
  ),
  "plugin-maturity": forbidden(
    "plugin-maturity is managed: only the server's own plugins load, at their shipped maturity",
  ),
  "allow-suspicious-udfs": forbidden("allow-suspicious-udfs lets a function be loaded from any library: not available"),
  chroot: forbidden("chroot is not available: the server already runs in its own directory as its own user"),
  basedir: forbidden("basedir is the server's installation: it is not configurable here"),
  "character-sets-dir": forbidden("character-sets-dir: the server's own character sets are used"),
  "lc-messages-dir": forbidden(
    "lc-messages-dir: the server's own message files are used (set lc-messages to change the language)",
  ),
  language: forbidden("language is a path to message files: set lc-messages instead"),
  debug: forbidden("debug writes trace files to arbitrary paths: not available"),
  "extra-port": forbidden("extra-port would open a second port the console does not manage"),
  "extra-bind-address": forbidden("extra-bind-address would open an address the console does not manage"),
  "wsrep-notify-cmd": forbidden("wsrep-notify-cmd runs a command: not available"),
  // Galera opens ports on every interface and runs SST scripts: it comes with Galera environments, not via my.cnf.
  "wsrep-provider": {
    kind: "one-of",
    values: ["none"],
    reason: "wsrep-provider: Galera is not available in a master–slave environment (only none)",
  },
  "wsrep-on": forbidden("wsrep-on: Galera is not available in a master–slave environment"),
  // How a Galera member starts is the console's: a new cluster only from the most advanced member (Recover cluster).
  "wsrep-new-cluster": forbidden(
    "wsrep-new-cluster would start a second cluster at every restart: use Recover cluster on the cluster's page",
  ),
  "wsrep-recover": forbidden("wsrep-recover would make every start exit after reading the position: not available"),
  "wsrep-start-position": forbidden("wsrep-start-position is set by the console when a member rejoins"),
  "wsrep-data-home-dir": forbidden("wsrep-data-home-dir: the cluster state (grastate.dat) stays in the data directory"),
  "feedback-url": forbidden("feedback-url would make the server send requests off the machine"),
  "feedback-http-proxy": forbidden("feedback-http-proxy would make the server send requests off the machine"),
  "wsrep-sst-method": {
    kind: "one-of",
    values: ["mariabackup", "rsync", "mysqldump"],
    reason: "wsrep-sst-method must be one of mariabackup, rsync, mysqldump",
  },
  "plugin-load": { kind: "plugins" },
  "plugin-load-add": { kind: "plugins" },
  "general-log-file": inData,
  "slow-query-log-file": inData,
  "log-slow-query-file": inData,
  "log-bin": inData,
  "log-bin-index": inData,
  "relay-log": inData,
  "relay-log-index": inData,
  "relay-log-info-file": inData,
  "master-info-file": inData,
  "log-tc": inData,
  "log-isam": inData,
  "innodb-data-home-dir": inData,
  "innodb-log-group-home-dir": inData,
  "innodb-undo-directory": inData,
  "innodb-tmpdir": inTmp,
  "innodb-buffer-pool-filename": inData,
  "aria-log-dir-path": inData,
  "server-audit-file-path": inData,
  "file-key-management-filename": inData,
  "file-key-management-filekey": inData,
  "ft-stopword-file": inData,
  "des-key-file": inData,
  "sql-error-log-filename": inData,
  "slave-load-tmpdir": inTmp,
  "log-ddl-recovery": inData,
  "wsrep-status-file": inData,
  "ssl-ca": inTls,
  "ssl-capath": inTls,
  "ssl-cert": inTls,
  "ssl-key": inTls,
  "ssl-crl": inTls,
  "ssl-crlpath": inTls,
  "innodb-data-file-path": { kind: "file-list" },
  "innodb-temp-data-file-path": { kind: "file-list" },
  "log-basename": { kind: "plain-name" },
};

export interface OptionName {
  /** The option the spelling refers to, e.g. `skip_grant_tables`, `loose-enable-skip-grant-tables` → skip-grant-tables. */
  canonical: string;
  /** The spelling carries a value-changing prefix (enable-, disable-, skip-, maximum-). */
  prefixed: boolean;
}

/** The ruled option a spelling stands for (null when no rule covers it). */
export function ruledOption(key: string): OptionName | null {
  let k = key.trim().toLowerCase().replace(/_/g, "-");
  while (k.startsWith("loose-")) k = k.slice("loose-".length);
  if (RULES[k]) return { canonical: k, prefixed: false };
  const m = /^(enable|disable|skip|maximum)-(.+)$/.exec(k);
  if (!m) return null;
  if (RULES[m[2]]) return { canonical: m[2], prefixed: true };
  // disable-networking reads as skip-networking: match the skip- form of a prefixed name too.
  if (RULES[`skip-${m[2]}`]) return { canonical: `skip-${m[2]}`, prefixed: true };
  return null;
}

/** A spelling of one of the node's extra managed options that no rule of the table covers. */
function alsoManagedOption(key: string, ctx: PolicyContext): OptionName | null {
  let k = key.trim().toLowerCase().replace(/_/g, "-");
  while (k.startsWith("loose-")) k = k.slice("loose-".length);
  if (ctx.alsoManaged?.has(k)) return { canonical: k, prefixed: false };
  const m = /^(enable|disable|skip|maximum)-(.+)$/.exec(k);
  return m && ctx.alsoManaged?.has(m[2]) ? { canonical: m[2], prefixed: true } : null;
}

/** The kind of rule covering a spelling: "forbidden", "path", … (undefined when none). */
export function ruleKind(key: string): Rule["kind"] | undefined {
  const name = ruledOption(key);
  return name ? RULES[name.canonical].kind : undefined;
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

type PathRoot = "data" | "data-or-tls" | "data-or-tmp";

/** Where a path-valued option may point; relative values resolve against the data directory, as mariadbd does. */
function pathProblem(option: string, value: string, within: PathRoot, ctx: PolicyContext): string | null {
  const datadir = path.join(ctx.nodeDir, "data");
  const other =
    within === "data-or-tls" ? (ctx.tlsDir ?? path.join(ctx.nodeDir, "tls")) : path.join(ctx.nodeDir, "tmp");
  const roots = [datadir, ...(within === "data" ? [] : [other])];
  const resolved = path.resolve(datadir, value);
  if (value.includes("\0") || !roots.some((r) => inside(r, resolved)))
    return `${option} must stay inside ${roots.join(" or ")}; use a relative name such as ${option.includes("ssl") ? "server.pem" : "mysql-bin"}`;
  return null;
}

function pluginProblem(value: string, shipped: ReadonlySet<string>): string | null {
  for (const entry of value
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const library = entry.includes("=") ? entry.slice(entry.indexOf("=") + 1).trim() : entry;
    if (!/^[A-Za-z0-9_.-]+$/.test(library) || library.includes(".."))
      return `plugin library "${library}" must be a plain file name of a plugin shipped with the server`;
    const file = library.endsWith(".so") ? library : `${library}.so`;
    if (!shipped.has(file))
      return `plugin library "${library}" is not shipped with this server; available: ${[...shipped].sort().slice(0, 12).join(", ")}${shipped.size > 12 ? ", …" : ""}`;
  }
  return null;
}

/**
 * The rule verdict for one option line: null when allowed. Managed options written with their plain name are
 * allowed here (their value is re-asserted by the review); any prefixed spelling of one is refused.
 */
export function judgeOption(key: string, value: string | null, ctx: PolicyContext): string | null {
  const name = ruledOption(key) ?? alsoManagedOption(key, ctx);
  if (!name) return null;
  const rule: Rule = ctx.alsoManaged?.has(name.canonical) ? { kind: "managed" } : RULES[name.canonical];
  const option = name.canonical;
  const v = value ?? "";
  switch (rule.kind) {
    case "managed":
      return name.prefixed ? `${key} would change ${option}, which Mariner manages: remove this line` : null;
    case "forbidden":
      return rule.reason;
    case "one-of":
      return name.prefixed || !rule.values.includes(v) ? rule.reason : null;
    case "path":
      if (name.prefixed) return null; // skip-log-bin / disable-log-bin switch a log off: no path involved
      return v === "" ? null : pathProblem(option, v, rule.within, ctx);
    case "file-list":
      return /[/\\]|\.\./.test(v)
        ? `${option} lists files inside the data directory only: no "/" or ".." (e.g. ibdata1:12M:autoextend)`
        : null;
    case "plain-name":
      return /[/\\]|\.\./.test(v) ? `${option} is a file name prefix inside the data directory: no "/" or ".."` : null;
    case "plugins":
      return name.prefixed ? null : pluginProblem(v, ctx.shippedPlugins);
  }
}

function shellProblem(key: string, value: string | null, ctx: PolicyContext): string | null {
  if (!ctx.readByShell || !value || !SHELL_SYNTAX.test(value)) return null;
  const k = key
    .trim()
    .toLowerCase()
    .replace(/_/g, "-")
    .replace(/^(loose-)+/, "");
  if (ctx.alsoManaged?.has(k)) return null; // the console's own values
  return `${key}: on a Galera node the state-transfer script reads my.cnf through a shell, so a value may not contain \` $ ; | & < > ( ) or \\`;
}

export interface PolicyProblem {
  line: number;
  message: string;
}

/** Every line of a my.cnf against the table: groups mariadbd does not read are refused, options judged. */
export function policyProblems(lines: CnfLine[], ctx: PolicyContext): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const l of lines) {
    if (l.kind === "section" && !isServerGroup(l.section))
      problems.push({
        line: l.n,
        message: `[${l.section}] is not read by the server (it reads [mysqld], [server], [mariadb], [mariadbd], [client-server], [galera] and their versioned forms): remove this section`,
      });
    if (l.kind !== "option" || !isServerGroup(l.section)) continue;
    const message = judgeOption(l.key, l.value, ctx) ?? shellProblem(l.key, l.value, ctx);
    if (message) problems.push({ line: l.n, message });
  }
  return problems;
}
