import crypto from "node:crypto";
import fs from "node:fs";
import { Readable, Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import { ServiceError } from "@/lib/errors";
import { SYSTEM_SCHEMAS, isSystemSchema } from "@/lib/mariadb/schemas";

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
  /** Triggers, routines or events (in DELIMITER sections): creating them with binary logging on needs SUPER. */
  storedPrograms: boolean;
}

const SYSTEM = `(?:${SYSTEM_SCHEMAS.join("|")})`;
/** Writes whose target is qualified with a system schema (`mysql`.`global_priv`, mysql.user, …). */
const SYSTEM_WRITE = new RegExp(
  `^(?:(?:INSERT|REPLACE)(?:\\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE))*(?:\\s+INTO)?|UPDATE(?:\\s+(?:LOW_PRIORITY|IGNORE))*|DELETE(?:\\s+(?:LOW_PRIORITY|QUICK|IGNORE))*\\s+FROM|DROP\\s+(?:TABLE|VIEW)(?:\\s+IF\\s+EXISTS)?|TRUNCATE(?:\\s+TABLE)?|ALTER\\s+TABLE|CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TABLE|VIEW)(?:\\s+IF\\s+NOT\\s+EXISTS)?|RENAME\\s+TABLE|LOAD\\s+DATA\\b.*\\bINTO\\s+TABLE)\\s+[\`"]?${SYSTEM}[\`"]?\\s*\\.`,
  "i",
);
// mariadb-dump never writes these; in a dump they can only be an attempt to do more than restore data.
const ADMIN =
  /^(?:SET\s+(?:GLOBAL\b|@@GLOBAL\.|STATEMENT\b|PASSWORD\b)|EXECUTE\b|PREPARE\b|CALL\b|BEGIN\s+NOT\s+ATOMIC\b|REVOKE\b|HANDLER\b|CHANGE\s+(?:MASTER|REPLICATION)\b|(?:START|STOP|RESET)\s+(?:SLAVE|REPLICA|MASTER|ALL\s+SLAVES|ALL\s+REPLICAS)\b|PURGE\b|SHUTDOWN\b|KILL\b|(?:UN)?INSTALL\b)/i;
const ACCOUNT_CHANGE = /^(?:(?:ALTER|DROP|RENAME)\s+USER|SET\s+PASSWORD)\b/i;
/** root, the console's own accounts, or CURRENT_USER (the loading account is root). Anchored at the name's start. */
const PROTECTED_ACCOUNT = /(?:^|[\s,(])(?:[`'"]?(root|mariner_\w*)[`'"]?\s*@|(CURRENT_USER)\b)/i;

/**
 * Reads a gzipped dump before it is loaded: the checksum must match the one recorded when it was taken, and
 * the dump must only restore its own databases and application accounts. Refused: a `USE` of a database the
 * dump does not create or of a system schema, writes into system tables, changes to root or the console's
 * accounts (or ALTER/DROP/RENAME USER, SET PASSWORD at all), and server administration (SET GLOBAL, CHANGE
 * MASTER, START/STOP SLAVE, PURGE, KILL, SHUTDOWN, plugins). The client loads with --binary-mode, so client
 * commands (\u, connect, system) are not interpreted. mariadb-dump writes one statement per line (newlines in
 * data are escaped); stored-program bodies sit between DELIMITER lines and are not statements of the dump.
 * With `into` (an import into one chosen database), the dump may use and create that database only. With
 * `allowPlain`, a file that is not gzipped is read as plain SQL.
 */
export async function inspectDump(
  input: string | AsyncIterable<Buffer>,
  expectedSha256: string | null,
  opts: { into?: string; maxSqlBytes?: number; allowPlain?: boolean } = {},
): Promise<DumpInspection> {
  const hash = crypto.createHash("sha256");
  const hashing = new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const created = new Set<string>(opts.into ? [opts.into] : []);
  let storedPrograms = false;
  const problems: string[] = [];
  // Only the first characters of a line matter (a 50 MB dump is mostly long INSERT lines): a sticky regex at
  // each line start, no copy of the line.
  const head =
    /(?:\/\*M?!\d*\s*)?(USE|CREATE|DELIMITER|ALTER|DROP|RENAME|SET|GRANT|REVOKE|CHANGE|START|STOP|RESET|PURGE|SHUTDOWN|KILL|INSTALL|UNINSTALL|LOAD|INSERT|REPLACE|UPDATE|DELETE|TRUNCATE|EXECUTE|PREPARE|CALL|BEGIN|HANDLER)\b([^\n]{0,300})/iy;
  let delimiter = ";";
  let atStatementStart = true; // inside a DELIMITER block: the next text begins a statement
  let lineNo = 0;
  let carry = "";
  const check = (line: number, text: string) => {
    const use = /^USE\s+(.+)$/i.exec(text);
    const createDb =
      /^CREATE\s+(?:DATABASE|SCHEMA)\s+(?:\/\*!\d+\s+IF NOT EXISTS\s*\*\/\s*|IF NOT EXISTS\s+)?(.+)$/i.exec(text);
    if (use) {
      const name = identifier(use[1]);
      if (isSystemSchema(name)) problems.push(`line ${line}: USE ${name} (a system schema)`);
      else if (!created.has(name)) problems.push(`line ${line}: USE ${name}, a database this dump does not create`);
    } else if (createDb) {
      const name = identifier(createDb[1]);
      if (isSystemSchema(name)) problems.push(`line ${line}: creates system schema ${name}`);
      else if (opts.into && name !== opts.into)
        problems.push(`line ${line}: creates database ${name}; this import goes into ${opts.into} only`);
      created.add(name);
    } else if (
      new RegExp(`^DROP\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+EXISTS\\s+)?[\`"]?${SYSTEM}[\`"]?\\b`, "i").test(text)
    ) {
      problems.push(`line ${line}: drops a system schema`);
    } else if (SYSTEM_WRITE.test(text)) {
      problems.push(`line ${line}: writes into a system table (${text.slice(0, 60)})`);
    } else if (ACCOUNT_CHANGE.test(text)) {
      problems.push(`line ${line}: changes existing accounts (${text.slice(0, 40)})`);
    } else if (/^(?:CREATE(?:\s+OR\s+REPLACE)?\s+USER|GRANT)\b/i.test(text) && PROTECTED_ACCOUNT.test(text)) {
      const m = PROTECTED_ACCOUNT.exec(text)!;
      problems.push(`line ${line}: touches the account ${m[1] ?? m[2]}, which the console manages`);
    } else if (ADMIN.test(text)) {
      problems.push(`line ${line}: server administration (${text.slice(0, 40)})`);
    }
  };
  /**
   * Inside DELIMITER ;; … DELIMITER ; mariadb-dump writes stored programs (routines, triggers, events) whose
   * bodies it copies verbatim, so a body could carry ";;" and a statement after it. Every statement there must
   * be a CREATE of a stored program; the split is on every delimiter occurrence (a superset of the client's).
   */
  const delimited = (line: number, text: string) => {
    const command = /^DELIMITER\s+(\S+)/i.exec(text);
    if (command && atStatementStart) return void (delimiter = command[1]);
    const pieces = text.split(delimiter);
    pieces.forEach((piece, i) => {
      if (i > 0) atStatementStart = true;
      if (!atStatementStart || !piece.trim()) return;
      atStatementStart = false;
      const statement = piece.trim().replace(/^\/\*!\d+\s*/, "");
      if (
        !/^CREATE\b/i.test(statement) ||
        /^CREATE(?:\s+OR\s+REPLACE)?\s+(?:USER|ROLE|DATABASE|SCHEMA|SERVER)\b/i.test(statement)
      ) {
        problems.push(
          `line ${line}: a statement inside a stored-program section that is not a stored program (${statement.slice(0, 40)})`,
        );
      } else {
        storedPrograms = true;
        check(line, statement);
      }
    });
  };
  /** `text` is whole lines without the last newline ("" is one empty line). */
  const scan = (text: string) => {
    for (let start = 0; ;) {
      const end = text.indexOf("\n", start);
      const stop = end === -1 ? text.length : end;
      lineNo++;
      if (delimiter !== ";") delimited(lineNo, text.slice(start, stop));
      else {
        head.lastIndex = start;
        const m = head.exec(text);
        if (m && m.index === start) {
          const statement = m[1] + m[2];
          const command = /^DELIMITER\s+(\S+)/i.exec(statement);
          if (command) {
            delimiter = command[1];
            atStatementStart = true;
          } else check(lineNo, statement);
        }
      }
      if (end === -1) break;
      start = end + 1;
    }
  };
  // A file on disk, or an upload as it arrives (read once: checked while it is being saved).
  let chunks: AsyncIterable<Buffer> = typeof input === "string" ? fs.createReadStream(input) : input;
  // A backup is always gzip (anything else is damage); an upload may be plain SQL.
  let gzipped = true;
  if (opts.allowPlain) [gzipped, chunks] = await startsWithGzip(chunks);
  const source = Readable.from(chunks, { objectMode: false });
  const decoder = new StringDecoder("utf8"); // a character split across two chunks stays whole
  try {
    let sqlBytes = 0;
    // pipe() does not pass errors on: each stage's failure (an upload over its limit, a torn read) ends the next.
    const stages: (Readable | Transform)[] = [source, hashing, ...(gzipped ? [zlib.createGunzip()] : [])];
    for (let i = 1; i < stages.length; i++) {
      stages[i - 1].on("error", (e) => stages[i].destroy(e));
      stages[i - 1].pipe(stages[i] as Transform);
    }
    for await (const chunk of stages.at(-1)!) {
      sqlBytes += (chunk as Buffer).length;
      if (opts.maxSqlBytes && sqlBytes > opts.maxSqlBytes)
        throw new ServiceError(
          413,
          "too_large",
          `The SQL is larger than ${opts.maxSqlBytes / 1024 / 1024} MB once decompressed`,
        );
      const text = carry + decoder.write(chunk as Buffer);
      const cut = text.lastIndexOf("\n");
      // Only a line's start is read: a line without end keeps its first 64 kB, not gigabytes.
      if (cut === -1) carry = text.length > 65_536 ? text.slice(0, 65_536) : text;
      else {
        scan(text.slice(0, cut));
        carry = text.slice(cut + 1);
      }
      if (problems.length >= 5) break;
    }
    const rest = carry + decoder.end();
    if (rest) scan(rest);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw new ServiceError(422, "corrupt_backup", `The backup file cannot be read: ${(e as Error).message}`);
  } finally {
    source.destroy();
  }
  if (problems.length) {
    throw new ServiceError(
      422,
      "unsafe_dump",
      "The dump would do more than load its own databases and application accounts; nothing was loaded",
      problems,
    );
  }
  const sha256 = hash.digest("hex");
  if (expectedSha256 && sha256 !== expectedSha256) {
    throw new ServiceError(
      422,
      "corrupt_backup",
      "The backup file changed since it was taken (SHA-256 differs): nothing was restored",
      [`recorded ${expectedSha256}`, `on disk  ${sha256}`],
    );
  }
  return { databases: [...created], sha256, storedPrograms };
}

/** Whether a stream starts with gzip's magic bytes, and the whole stream again (the bytes read to tell included). */
async function startsWithGzip(src: AsyncIterable<Buffer>): Promise<[boolean, AsyncIterable<Buffer>]> {
  const it = src[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let ended = false;
  while (Buffer.concat(head).length < 2) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(Buffer.from(next.value));
  }
  const first = Buffer.concat(head);
  async function* whole() {
    if (first.length) yield first;
    if (ended) return;
    for (let next = await it.next(); !next.done; next = await it.next()) yield Buffer.from(next.value);
  }
  return [first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b, whole()];
}

/** Whether a file starts with gzip's magic bytes. */
export async function isGzip(file: string): Promise<boolean> {
  const fd = await fs.promises.open(file, "r");
  try {
    const { buffer, bytesRead } = await fd.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fd.close();
  }
}

/** Databases that existed before and after the dump but are not in it: such a backup is not "all databases". */
export function missingDatabases(before: string[], after: string[], dumped: string[]): string[] {
  return before.filter((d) => after.includes(d) && !dumped.includes(d));
}
