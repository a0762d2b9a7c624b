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

/**
 * Reads a gzipped dump before it is loaded: the checksum must match the one recorded when it was taken, and
 * every `USE` must name a database the dump itself creates — never a system schema (a dump that switches to
 * `mysql` could rewrite the console's root account) nor one that only exists on the target.
 * mariadb-dump writes one statement per line (newlines inside strings are escaped), so a line-based scan sees
 * every statement start.
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
  // Chunks, not readline: a 50 MB dump is mostly INSERT lines, and only statement starts matter here.
  const statement = /^(CREATE\s+(?:DATABASE|SCHEMA)\s+(?:\/\*!\d+\s+IF NOT EXISTS\s*\*\/\s*|IF NOT EXISTS\s+)?|USE\s+)(.+)$/gim;
  let carry = "";
  let lineNo = 0;
  const scan = (text: string) => {
    let from = 0;
    for (const m of text.matchAll(statement)) {
      for (let i = text.indexOf("\n", from); i !== -1 && i < m.index; i = text.indexOf("\n", i + 1)) lineNo++;
      from = m.index;
      const name = identifier(m[2]);
      const line = lineNo + 1;
      if (/^USE/i.test(m[1])) {
        if (SYSTEM_SCHEMAS.has(name.toLowerCase())) problems.push(`line ${line}: USE ${name} (a system schema)`);
        else if (!created.has(name)) problems.push(`line ${line}: USE ${name}, a database this dump does not create`);
      } else {
        if (SYSTEM_SCHEMAS.has(name.toLowerCase())) problems.push(`line ${line}: creates system schema ${name}`);
        created.add(name);
      }
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
    throw new ServiceError(422, "unsafe_dump", "The dump would write outside the databases it restores; nothing was restored", problems);
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
