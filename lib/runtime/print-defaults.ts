import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { serverProcessOptions, type NodeIdentity } from "./identity";

const run = promisify(execFile);

/**
 * What a server would be started with from `cnf`: the options of `groups` as MariaDB's own option-file parser reads
 * them (includes followed, long lines split, escapes undone), one `--name=value` per line. Run as the node's uid so
 * an include can only reach what the server itself could read.
 */
export async function printDefaults(cnf: string, groups: string[], identity: NodeIdentity | null, cwd: string) {
  if (!groups.length) return [];
  const { stdout } = await run("my_print_defaults", [`--defaults-file=${cnf}`, ...groups], {
    maxBuffer: 4 * 1024 * 1024,
    ...serverProcessOptions(identity, cwd),
  });
  return stdout.split("\n").filter(Boolean);
}
