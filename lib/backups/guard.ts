import crypto from "node:crypto";
import fs from "node:fs";
import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import { ServiceError } from "@/lib/errors";

const SYSTEM_SCHEMAS = new Set(["mysql", "information_schema", "performance_schema", "sys"]);

/** `name`, "name" or name, as mariadb-dump and people write it (backticks doubled inside). */
function identifier(raw: string): string {
  const s = raw.trim().replace(/;$/, "").trim();
  if (s.startsWith("`")) return s.slice(1, s.lastIndexOf("`")).replace(/``/g, "`");
  if (s.startsWith('"')) return s.slice(1, s.lastIndexOf('"'));
  return s.split(/\s/)[0];
}

export interface DumpInspection {
  databases: string[];
  sha256: string;
}

const SYSTEM = "(?:mysql|sys|performance_schema|information_schema)";
/** Writes whose target is qualified with a system schema (`mysql`.`global_priv`, mysql.user, …). */
const SYSTEM_WRITE = new RegExp(
  `^(?:INSERT(?:\\s+IGNORE)?\\s+INTO|REPLACE\\s+INTO|UPDATE|DELETE\\s+FROM|DROP\\s+(?:TABLE|VIEW)(?:\\s+IF\\s+EXISTS)?|TRUNCATE(?:\\s+TABLE)?|ALTER\\s+TABLE|CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TABLE|VIEW)(?:\\s+IF\\s+NOT\\s+EXISTS)?|RENAME\\s+TABLE|LOAD\\s+DATA\\b.*\\bINTO\\s+TABLE)\\s+[\`"]?${SYSTEM}[\`"]?\\s*\\.`,
  "i",
);
const ADMIN = /^(?:SET\s+(?:GLOBAL\b|@@GLOBAL\.)|CHANGE\s+(?:MASTER|REPLICATION)\b|(?:START|STOP|RESET)\s+(?:SLAVE|REPLICA|MASTER|ALL\s+SLAVES|ALL\s+REPLICAS)\b|PURGE\b|SHUTDOWN\b|KILL\b|(?:UN)?INSTALL\b)/i;
const ACCOUNT_CHANGE = /^(?:(?:ALTER|DROP|RENAME)\s+USER|SET\s+PASSWORD)\b/i;
const PROTECTED_ACCOUNT = /[`'"]?(root|mariner_\w*)[`'"]?\s*@/i;

/**
 * Reads a gzipped dump before it is loaded: the checksum must match the one recorded when it was taken, and
 * the dump must only restore its own databases and application accounts. Refused: a `USE` of a database the
 * dump does not create or of a system schema, writes into system tables, changes to root or the console's
 * accounts (or ALTER/DROP/RENAME USER, SET PASSWORD at all), and server administration (SET GLOBAL, CHANGE
 * MASTER, START/STOP SLAVE, PURGE, KILL, SHUTDOWN, plugins). The client loads with --binary-mode, so client
 * commands (\u, connect, system) are not interpreted. mariadb-dump writes one statement per line (newlines in
 * data are escaped); stored-program bodies sit between DELIMITER lines and are not statements of the dump.
 */
export async function inspectDump(file: string, expectedSha256: string | null): Promise<DumpInspection> {
  const hash = crypto.createHash("sha256");
  const hashing = new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const created = new Set<string>();
  const problems: string[] = [];
  // Chunks, not readline: a 50 MB dump is mostly INSERT lines; only the first characters of a line matter.
  const statement = /^(?:\/\*M?!\d*\s*)?(USE|CREATE|DELIMITER|ALTER|DROP|RENAME|SET|GRANT|REVOKE|CHANGE|START|STOP|RESET|PURGE|SHUTDOWN|KILL|INSTALL|UNINSTALL|LOAD|INSERT|REPLACE|UPDATE|DELETE|TRUNCATE)\b(.{0,300})/gim;
  let delimiter = ";";
  let carry = "";
  let lineNo = 0;
  const check = (line: number, keyword: string, text: string) => {
    const upper = keyword.toUpperCase();
    if (upper === "DELIMITER") return void (delimiter = text.slice(keyword.length).trim().split(/\s/)[0] || ";");
    if (delimiter !== ";") return; // inside a routine, trigger or event body
    const use = /^USE\s+(.+)$/i.exec(text);
    const createDb = /^CREATE\s+(?:DATABASE|SCHEMA)\s+(?:\/\*!\d+\s+IF NOT EXISTS\s*\*\/\s*|IF NOT EXISTS\s+)?(.+)$/i.exec(text);
    if (use) {
      const name = identifier(use[1]);
      if (SYSTEM_SCHEMAS.has(name.toLowerCase())) problems.push(`line ${line}: USE ${name} (a system schema)`);
      else if (!created.has(name)) problems.push(`line ${line}: USE ${name}, a database this dump does not create`);
    } else if (createDb) {
      const name = identifier(createDb[1]);
      if (SYSTEM_SCHEMAS.has(name.toLowerCase())) problems.push(`line ${line}: creates system schema ${name}`);
      created.add(name);
    } else if (new RegExp(`^DROP\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+EXISTS\\s+)?[\`"]?${SYSTEM}[\`"]?\\b`, "i").test(text)) {
      problems.push(`line ${line}: drops a system schema`);
    } else if (SYSTEM_WRITE.test(text)) {
      problems.push(`line ${line}: writes into a system table (${text.slice(0, 60)})`);
    } else if (ACCOUNT_CHANGE.test(text)) {
      problems.push(`line ${line}: changes existing accounts (${text.slice(0, 40)})`);
    } else if (/^(?:CREATE(?:\s+OR\s+REPLACE)?\s+USER|GRANT|REVOKE)\b/i.test(text) && PROTECTED_ACCOUNT.test(text)) {
      problems.push(`line ${line}: touches the account ${PROTECTED_ACCOUNT.exec(text)![1]}, which the console manages`);
    } else if (ADMIN.test(text)) {
      problems.push(`line ${line}: server administration (${text.slice(0, 40)})`);
    }
  };
  const scan = (text: string) => {
    let from = 0;
    for (const m of text.matchAll(statement)) {
      for (let i = text.indexOf("\n", from); i !== -1 && i < m.index; i = text.indexOf("\n", i + 1)) lineNo++;
      from = m.index;
      check(lineNo + 1, m[1], (m[1] + m[2]).split("\n")[0]);
    }
    for (let i = text.indexOf("\n", from); i !== -1; i = text.indexOf("\n", i + 1)) lineNo++;
  };
  const source = fs.createReadStream(file);
  const decoder = new StringDecoder("utf8"); // a character split across two chunks stays whole
  try {
    for await (const chunk of source.pipe(hashing).pipe(zlib.createGunzip())) {
      const text = carry + decoder.write(chunk as Buffer);
      const cut = text.lastIndexOf("\n") + 1;
      scan(text.slice(0, cut));
      carry = text.slice(cut);
      if (problems.length >= 5) break;
    }
    scan(carry + decoder.end());
  } catch (e) {
    throw new ServiceError(422, "corrupt_backup", `The backup file cannot be read: ${(e as Error).message}`);
  } finally {
    source.destroy();
  }
  if (problems.length) {
    throw new ServiceError(422, "unsafe_dump", "The dump would do more than restore its own databases and application accounts; nothing was restored", problems);
  }
  const sha256 = hash.digest("hex");
  if (expectedSha256 && sha256 !== expectedSha256) {
    throw new ServiceError(422, "corrupt_backup", "The backup file changed since it was taken (SHA-256 differs): nothing was restored", [`recorded ${expectedSha256}`, `on disk  ${sha256}`]);
  }
  return { databases: [...created], sha256 };
}

/** Databases that existed before and after the dump but are not in it: such a backup is not "all databases". */
export function missingDatabases(before: string[], after: string[], dumped: string[]): string[] {
  return before.filter((d) => after.includes(d) && !dumped.includes(d));
}
