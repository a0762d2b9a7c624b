// Reading a stopped server's binary logs where they are (the dead master's last GTIDs for a failover): on this
// disk with the local mariadb-binlog, or on a Docker host in a throwaway container over the node's volume.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import type Docker from "dockerode";
import type { NodeRef } from "./driver";
import { layout, VOLUME_ROOT, volumeName } from "./docker-node";
import { runThrowaway } from "./engine-check";
import { identityOf, serverProcessOptions } from "./identity";
import { layoutOf } from "./node-dir";
import { readNodeFile } from "./node-files";

/** Each line mariadb-binlog prints for the node's binary logs; false when they could not be read completely. */
export type BinlogScan = (onLine: (line: string) => void) => Promise<boolean>;

/** Binlog files by their own name pattern only (the index is written by the tenant's server). */
const BINLOG_NAME = /^(\.\/)?[A-Za-z0-9_.-]+\.[0-9]{6}$/;
const BINLOG_NAME_ERE = "^(\\./)?[A-Za-z0-9_.-]+\\.[0-9]{6}$";

export function scanOnDisk(node: NodeRef): BinlogScan {
  return async (onLine) => {
    const { baseDir, datadir } = layoutOf(node);
    const index = path.join(datadir, "mysql-bin.index");
    if (!fs.existsSync(index)) return false;
    // Read without following links; mariadb-binlog runs as the server's uid (it could only name files it can read).
    const files = readNodeFile(baseDir, index)
      .split("\n")
      .filter((f) => BINLOG_NAME.test(f));
    const as = serverProcessOptions(identityOf(baseDir), datadir);
    for (const [i, f] of files.entries()) {
      const child = spawn("mariadb-binlog", ["--base64-output=never", path.resolve(datadir, f)], {
        ...as,
        stdio: ["ignore", "pipe", "ignore"],
      });
      const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
      child.once("error", () => undefined); // no binary: the exit code says so
      for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) onLine(line);
      // The last file of a killed server may end in a torn event: what was read before it still counts.
      if ((await exited) !== 0 && i < files.length - 1) return false;
    }
    return true;
  };
}

/**
 * The same on a Docker host: the image's mariadb-binlog over the node's volume (read-only, no network). Only
 * the event-header lines the GTID reader needs come back; a file that fails before the last one fails the scan.
 */
export function scanInVolume(docker: Docker, image: string, node: NodeRef): BinlogScan {
  return async (onLine) => {
    const script = [
      `cd '${layout.datadir}' || exit 3`,
      "[ -f mysql-bin.index ] || exit 3",
      `mapfile -t files < <(grep -E '${BINLOG_NAME_ERE}' mysql-bin.index)`,
      "last=$(( ${#files[@]} - 1 ))",
      'for i in "${!files[@]}"; do',
      `  mariadb-binlog --base64-output=never "\${files[$i]}" | { grep -E '^#' || true; }`,
      "  rc=${PIPESTATUS[0]}",
      '  [ "$rc" = 0 ] || [ "$i" = "$last" ] || exit 4',
      "done",
    ].join("\n");
    const mounts = {
      Mounts: [{ Type: "volume" as const, Source: volumeName(node.nodeId), Target: VOLUME_ROOT, ReadOnly: true }],
    };
    const { code, stdout } = await runThrowaway(docker, image, ["bash", "-c", script], [], mounts);
    if (code !== 0) return false;
    for (const line of stdout.split("\n")) onLine(line);
    return true;
  };
}
