// Asking a Docker host's own image about something without touching any server: a throwaway container with no
// network (the MariaDB version, whether a candidate my.cnf is accepted and how it is read).
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import type { ConfigCheck, NodeRef } from "./driver";
import { ROOT_READABLE, SERVER, VOLUME_ROOT, volumeName } from "./docker-node";
import { uploadEntries } from "./engine-files";
import { lastLines } from "./server-log";

/** A throwaway container of the image (no network), with `files` uploaded first; its output and exit code. */
export async function runThrowaway(
  docker: Docker,
  image: string,
  cmd: string[],
  files: { name: string; content: string }[] = [],
  mounts: Pick<Docker.HostConfig, "Mounts" | "Binds"> = {},
) {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    User: `${SERVER.uid}:${SERVER.gid}`,
    Labels: { "mariner.console": "1", "mariner.throwaway": "1" },
    HostConfig: {
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      NetworkMode: "none",
      PidsLimit: 64,
      ...mounts,
    },
  });
  try {
    if (files.length)
      await uploadEntries(container, "/", [
        { name: "candidate/", mode: 0o755, ...ROOT_READABLE },
        ...files.map((f) => ({ name: `candidate/${f.name}`, content: f.content, mode: 0o644, ...ROOT_READABLE })),
      ]);
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = "";
    let stderr = "";
    out.on("data", (d) => (stdout += d));
    err.on("data", (d) => (stderr += d));
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    docker.modem.demuxStream(stream, out, err);
    await container.start();
    const { StatusCode } = await container.wait();
    await new Promise((r) => setImmediate(r));
    return { code: StatusCode as number, stdout, stderr };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** The node's own directories, read-only: the paths the candidate names (secure-file-priv, datadir) exist. */
function nodeMounts(node: NodeRef): Pick<Docker.HostConfig, "Mounts" | "Binds"> {
  return node.baseDir
    ? { Binds: [`${node.baseDir}:${node.baseDir}:ro`] }
    : { Mounts: [{ Type: "volume" as const, Source: volumeName(node.nodeId), Target: VOLUME_ROOT, ReadOnly: true }] };
}

/**
 * The image's own mariadbd judges the candidate in a throwaway container on the node's host (candidate
 * uploaded, no network, the node's volume read-only), and the image's my_print_defaults reads it the way the
 * server would.
 */
export async function checkCandidate(
  docker: Docker,
  image: string,
  node: NodeRef,
  content: string,
  where: { mounts?: Pick<Docker.HostConfig, "Mounts" | "Binds">; dirs?: string[] } = { mounts: nodeMounts(node) },
): Promise<ConfigCheck> {
  const cnf = "/candidate/my.cnf";
  const marker = "@@mariner-print-defaults@@";
  // Without the node's volume (a Swarm node's is not reachable here), its directories are made empty in the throwaway.
  const dirs = where.dirs?.length ? `mkdir -p ${where.dirs.map((d) => `'${d}'`).join(" ")} || exit 1; ` : "";
  const script = `${dirs}out=$(mariadbd --defaults-file=${cnf} --help --verbose); rc=$?; printf '%s\\n' "$out"; [ $rc = 0 ] || exit $rc; echo ${marker}; exec my_print_defaults --defaults-file=${cnf} $(printf '%s\\n' "$out" | sed -n 's/^The following groups are read: //p')`;
  const { code, stdout, stderr } = await runThrowaway(
    docker,
    image,
    ["sh", "-c", script],
    [{ name: "my.cnf", content }],
    where.mounts,
  );
  const [help, printed = ""] = stdout.split(`${marker}\n`);
  if (code === 0) {
    return { ok: true, lines: [], help, notes: stderr, args: printed.split("\n").filter(Boolean) };
  }
  const lines = lastLines(stderr, 40).filter((x) => /ERROR|error|Fatal|unknown/i.test(x) && !/max_open_files/.test(x));
  return { ok: false, lines: lines.length ? lines : lastLines(stderr, 5), help, notes: stderr, args: [] };
}
