// Damaged backups made for real: a `mariadb-dump` placed first on PATH runs the real one and passes its output
// through a sed program (a row dropped, a value changed). The console spawns "mariadb-dump" by name with
// process.env, so it records and hashes exactly what the wrapper wrote: the file's own SHA-256 stays
// consistent, and only the row counts / CHECKSUM TABLE it recorded from the server can tell.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

function realBinary(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not on PATH`);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `fn` while every `mariadb-dump` this process spawns goes through `sedProgram` (sed -E, one program file).
 * Returns fn's result and the argument lines of each wrapped dump (so a test can prove the wrapper ran).
 * PATH is restored (and the wrapper removed) afterwards, even when fn throws.
 */
export async function withDamagedDump<T>(
  sedProgram: string,
  fn: () => Promise<T>,
): Promise<{ result: T; calls: string[] }> {
  const real = realBinary("mariadb-dump");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-dump-fault-"));
  const calls = path.join(dir, "calls");
  const program = path.join(dir, "damage.sed");
  fs.writeFileSync(program, `${sedProgram}\n`);
  fs.writeFileSync(
    path.join(dir, "mariadb-dump"),
    [
      "#!/bin/bash",
      "# Test fault (test/support/dump-fault.ts): the real dump, damaged on its way out; its exit status kept.",
      "set -o pipefail",
      `printf '%s\\n' "$*" >> ${shellQuote(calls)}`,
      `${shellQuote(real)} "$@" | sed -E -f ${shellQuote(program)}`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  const saved = process.env.PATH;
  process.env.PATH = `${dir}:${saved ?? ""}`;
  try {
    const result = await fn();
    const lines = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter(Boolean) : [];
    return { result, calls: lines };
  } finally {
    process.env.PATH = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
