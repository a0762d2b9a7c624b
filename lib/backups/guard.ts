import crypto from "node:crypto";
import fs from "node:fs";
import readline from "node:readline";
import { Transform } from "node:stream";
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
  const gunzip = fs.createReadStream(file).pipe(hashing).pipe(zlib.createGunzip());
  const lines = readline.createInterface({ input: gunzip, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      const create = /^CREATE\s+(?:DATABASE|SCHEMA)\s+(?:\/\*!\d+\s+IF NOT EXISTS\s*\*\/\s*|IF NOT EXISTS\s+)?(.+)$/i.exec(line);
      if (create) {
        const name = identifier(create[1]);
        if (SYSTEM_SCHEMAS.has(name.toLowerCase())) problems.push(`line ${n}: creates system schema ${name}`);
        created.add(name);
        continue;
      }
      const use = /^USE\s+(.+)$/i.exec(line);
      if (use) {
        const name = identifier(use[1]);
        if (SYSTEM_SCHEMAS.has(name.toLowerCase())) problems.push(`line ${n}: USE ${name} (a system schema)`);
        else if (!created.has(name)) problems.push(`line ${n}: USE ${name}, a database this dump does not create`);
      }
      if (problems.length >= 5) break;
    }
  } catch (e) {
    throw new ServiceError(422, "corrupt_backup", `The backup file cannot be read: ${(e as Error).message}`);
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
