// SQL files in and out of one server through its own command-line clients (the same parser and dumper a DBA uses).
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { spawnClient, type DumpSource } from "./dump";
import { clientTlsArgs } from "./transport";

const login = (s: DumpSource) => [`--host=${s.host}`, `--port=${s.port}`, `--user=${s.user}`, ...clientTlsArgs(s.host)];

export interface LoadProgress {
  bytes: number;
  statements: number;
}

/**
 * Streams SQL into the server with the `mariadb` client, written to the binary log (slaves follow). Statements
 * are counted as lines ending in ";" (mariadb-dump writes one per line). `signal` kills the client (cancel).
 * A failure carries the client's own lines ("ERROR 1146 (42S02) at line 12: …").
 */
export async function loadSql(
  target: DumpSource,
  database: string | null,
  sql: Readable,
  onProgress: (p: LoadProgress) => void,
  signal: AbortSignal,
): Promise<LoadProgress> {
  if (signal.aborted) throw new Error("cancelled");
  // --binary-mode: client commands (\! system, source, connect) are not interpreted; --local-infile=0: a LOAD DATA
  // LOCAL in the file cannot make this client send the console's own files to the server.
  const args = [...login(target), "--binary-mode", "--local-infile=0", ...(database ? [`--database=${database}`] : [])];
  const client = spawnClient("mariadb", args, target.password, false);
  const progress: LoadProgress = { bytes: 0, statements: 0 };
  let last = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1))
        if (chunk[i - 1] === 59) progress.statements++;
      if (Date.now() - last > 500) {
        last = Date.now();
        onProgress({ ...progress });
      }
      cb(null, chunk);
    },
  });
  const kill = () => client.child.kill("SIGKILL");
  signal.addEventListener("abort", kill, { once: true });
  try {
    // A source that fails (a corrupt .gz) would look like a clean end of input to the client: its error must win.
    const fed = pipeline(sql, counting, client.child.stdin!).then(
      () => null,
      (e: Error) => e,
    );
    await client.done;
    const feedError = await fed;
    if (signal.aborted) throw new Error("cancelled");
    if (feedError) throw Object.assign(new Error(`reading the file failed: ${feedError.message}`), { lines: [] });
    onProgress({ ...progress });
    return progress;
  } finally {
    signal.removeEventListener("abort", kill);
  }
}

/**
 * mariadb-dump of the named databases, with CREATE DATABASE/USE for each (`--databases`) or, for one database
 * without them, loadable under any name.
 */
export function dumpDatabases(source: DumpSource, databases: string[], withCreate: boolean) {
  const args = [
    ...login(source),
    "--single-transaction",
    "--routines",
    "--events",
    "--triggers",
    "--hex-blob",
    // "--": a database name is never read as an option (names come from the server, which the tenant controls).
    ...(withCreate || databases.length > 1 ? ["--databases", "--", ...databases] : ["--", ...databases]),
  ];
  return spawnClient("mariadb-dump", args, source.password, true);
}
