// Commands inside a node's container through the Engine API (no shell on the host, no socket on the console's disk).
import { PassThrough } from "node:stream";
import type Docker from "dockerode";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` in the running container as `user`, feeding `stdin` (secrets go there, never into argv). */
export async function execIn(
  docker: Docker,
  container: Docker.Container,
  cmd: string[],
  { user, stdin }: { user: string; stdin?: string },
): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: cmd,
    User: user,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: stdin !== undefined,
  });
  const stream = await exec.start({ hijack: true, stdin: stdin !== undefined });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d) => (stdout += d));
  err.on("data", (d) => (stderr += d));
  docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  if (stdin !== undefined) stream.end(stdin);
  await ended;
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? 1, stdout, stderr };
}

const sqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * A fresh server's accounts, set through its socket inside the container: root gets the generated password on
 * every row (and, when the console reaches it over a network, root@'%' so that login works from the console's
 * address), anonymous users are dropped.
 */
export async function provisionRootIn(
  docker: Docker,
  container: Docker.Container,
  user: string,
  socket: string,
  rootPassword: string,
  overNetwork: boolean,
) {
  const client = ["mariadb", `--socket=${socket}`, "--user=root", "--batch", "--skip-column-names"];
  const listed = await execIn(
    docker,
    container,
    [...client, "-e", "SELECT User, Host FROM mysql.user WHERE User IN ('', 'root')"],
    { user },
  );
  if (listed.code !== 0) throw new Error(`could not list accounts: ${listed.stderr.trim()}`);
  const statements = ["SET SESSION sql_log_bin = 0;"];
  for (const line of listed.stdout.split("\n").filter(Boolean)) {
    const [name, host] = line.split("\t");
    const account = `${sqlString(name)}@${sqlString(host)}`;
    const keep = name === "root" && ["localhost", "127.0.0.1", "::1"].includes(host);
    statements.push(keep ? `ALTER USER ${account} IDENTIFIED BY ${sqlString(rootPassword)};` : `DROP USER ${account};`);
  }
  if (overNetwork)
    statements.push(
      `CREATE USER 'root'@'%' IDENTIFIED BY ${sqlString(rootPassword)};`,
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    );
  const applied = await execIn(docker, container, client, { user, stdin: statements.join("\n") });
  if (applied.code !== 0) throw new Error(`could not set the root password: ${applied.stderr.trim()}`);
}
