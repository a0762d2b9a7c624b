import { spawn } from "node:child_process";
import fs from "node:fs";
import { withConnection } from "./connect";
import { clientTlsArgs } from "./transport";
import { SYSTEM_SCHEMAS } from "./schemas";

export interface DumpSource {
  host: string;
  port: number;
  user: string;
  password: string;
}

const SERVER_OWN_ACCOUNTS = new Set(["root", "mariadb.sys", ""]);

/**
 * The application accounts of a server as statements for another one: CREATE USER IF NOT EXISTS + GRANTs.
 * Each server keeps its own root, anonymous, mariadb.sys and console replication accounts. Appended to every
 * seed/backup so later ALTER/DROP USER events from the master find the account on the slave.
 */
export async function accountStatements(source: DumpSource): Promise<string> {
  return withConnection(
    { host: source.host, port: source.port, user: source.user, password: source.password },
    async (c) => {
      const [users] = await c.query("SELECT User AS user, Host AS host FROM mysql.user WHERE is_role = 'N'");
      const out: string[] = [];
      for (const { user, host } of users as { user: string; host: string }[]) {
        // mariner_*: the console's (replication, a running import's loader): each server has its own or none.
        if (SERVER_OWN_ACCOUNTS.has(user) || user.startsWith("mariner_")) continue;
        const [[create]] = (await c.query("SHOW CREATE USER ?@?", [user, host])) as unknown as [
          Record<string, string>[],
        ];
        out.push(`${Object.values(create)[0].replace(/^CREATE USER /, "CREATE USER IF NOT EXISTS ")};`);
        const [grants] = await c.query("SHOW GRANTS FOR ?@?", [user, host]);
        for (const g of grants as Record<string, string>[]) out.push(`${Object.values(g)[0]};`);
      }
      return out.length ? `\n-- Application accounts (Mariner)\n${out.join("\n")}\n` : "";
    },
  );
}

/** A client binary with the password in its environment (readable only by this user), never on the command line. */
export function spawnClient(bin: string, args: string[], password: string, output: boolean) {
  const child = spawn(bin, args, {
    env: { ...process.env, MYSQL_PWD: password },
    stdio: ["pipe", output ? "pipe" : "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  child.stdin!.on("error", () => undefined); // a client that died early: its exit code tells why
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) return resolve();
      const lines = stderr.split("\n").filter(Boolean).slice(-10);
      reject(
        Object.assign(new Error(`${bin} failed (exit ${code})${lines.length ? `: ${lines.at(-1)}` : ""}`), { lines }),
      );
    });
  });
  return { child, done };
}

function run(
  bin: string,
  args: string[],
  password: string,
  io: { stdin?: fs.ReadStream; stdout?: fs.WriteStream },
): Promise<void> {
  const { child, done } = spawnClient(bin, args, password, !!io.stdout);
  if (io.stdin) io.stdin.pipe(child.stdin!);
  else child.stdin!.end();
  if (io.stdout) child.stdout!.pipe(io.stdout);
  return done;
}

/**
 * A consistent snapshot of every user database plus the application accounts (so a seeded slave has the
 * master's users — later ALTER/DROP USER events apply — but keeps its own root), with the
 * GTID position it corresponds to (`--master-data --gtid` writes SET GLOBAL gtid_slave_pos into the dump).
 * One snapshot for all databases, so a database created meanwhile is either in the dump or after the position.
 */
export async function dumpAll(source: DumpSource, file: string, withPosition: boolean): Promise<void> {
  await run("mariadb-dump", dumpArgs(source, withPosition ? "statement" : "none"), source.password, {
    stdout: fs.createWriteStream(file, { mode: 0o600 }),
  });
  fs.appendFileSync(file, await accountStatements(source));
}

/** mariadb-dump arguments for a consistent dump of every user database; the GTID position as a statement or a comment. */
export function dumpArgs(source: DumpSource, position: "none" | "statement" | "comment"): string[] {
  return [
    `--host=${source.host}`,
    `--port=${source.port}`,
    `--user=${source.user}`,
    ...clientTlsArgs(source.host),
    "--all-databases",
    ...SYSTEM_SCHEMAS.map((d) => `--ignore-database=${d}`),
    "--single-transaction",
    "--routines",
    "--events",
    "--triggers",
    "--hex-blob",
    ...(position === "none" ? [] : [`--master-data=${position === "statement" ? 1 : 2}`, "--gtid"]),
  ];
}

/** Loading a dump without writing it to the target's binary log: a seeded slave must not invent its own GTIDs. */
const loadArgs = (target: DumpSource) => [
  `--host=${target.host}`,
  `--port=${target.port}`,
  `--user=${target.user}`,
  ...clientTlsArgs(target.host),
  "--init-command=SET SESSION sql_log_bin=0",
  "--binary-mode",
  "--local-infile=0", // LOAD DATA LOCAL would read this machine's files on the server's behalf
];

export async function loadDump(target: DumpSource, file: string): Promise<void> {
  await run("mariadb", loadArgs(target), target.password, { stdin: fs.createReadStream(file) });
}

/**
 * dumpAll straight into every target at once, streamed over the network (hosts may be other machines): no copy
 * on the console's disk; the slowest target sets the pace. Fails with the first client's error lines; the caller
 * discards what the targets hold then (they are new servers). Returns the bytes of the dump.
 */
export async function copyAll(source: DumpSource, targets: DumpSource[], withPosition: boolean): Promise<number> {
  const accounts = await accountStatements(source);
  const dump = spawnClient(
    "mariadb-dump",
    dumpArgs(source, withPosition ? "statement" : "none"),
    source.password,
    true,
  );
  let bytes = 0;
  let tail = "";
  dump.child.stdout!.on("data", (d: Buffer) => {
    bytes += d.length;
    tail = (tail + d.toString("latin1")).slice(-256);
  });
  const loads = targets.map((t) => spawnClient("mariadb", loadArgs(t), t.password, false));
  for (const load of loads) dump.child.stdout!.pipe(load.child.stdin!, { end: false });
  const dumped = dump.done.then(() => {
    // Loads apply statements as they arrive: a stream that stopped early must fail the copy, not look complete.
    if (!/-- Dump completed/.test(tail))
      throw Object.assign(new Error("the snapshot stream ended early"), {
        lines: ["the snapshot stream ended before mariadb-dump's end marker (-- Dump completed)"],
      });
    for (const load of loads) load.child.stdin!.end(accounts);
  });
  try {
    await Promise.all([dumped, ...loads.map((l) => l.done)]);
    return bytes;
  } catch (e) {
    for (const c of [dump, ...loads]) if (c.child.exitCode === null) c.child.kill();
    throw e;
  }
}
