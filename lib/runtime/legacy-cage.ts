import fs from "node:fs";
import path from "node:path";
import { setServerOptions } from "@/lib/mycnf/parse";
import { SYSTEM_PLUGIN_DIR } from "@/lib/mycnf/plugins";
import { adoptIntoCage, type NodeIdentity } from "./identity";
import type { NodeLayout } from "./layout";
import { makeNodeDir, readNodeFile, writeNodeFile } from "./node-files";

/**
 * A node from before identities ran as root with `user = root`: on its next start it moves into its cage — an
 * identity of its own, its data handed over, secure-file-priv and plugin-dir in its my.cnf, `user` gone.
 */
export async function cageLegacyNode(l: NodeLayout): Promise<NodeIdentity | null> {
  const identity = await adoptIntoCage(l.baseDir, [l.datadir, l.tmpdir, l.filesDir, l.errorLog]);
  if (!identity) return null;
  fs.rmSync(l.pidFile, { force: true }); // root's stale pid file would stop the caged start
  // Certificates stay the console's; the server's group may read them (ssl-key included).
  const tls = path.join(l.baseDir, "tls");
  if (fs.lstatSync(tls, { throwIfNoEntry: false })?.isDirectory()) {
    makeNodeDir(l.baseDir, tls, identity, false);
    for (const f of fs.readdirSync(tls)) {
      const file = path.join(tls, f);
      writeNodeFile(l.baseDir, file, readNodeFile(l.baseDir, file), identity);
    }
  }
  const managed = { "secure-file-priv": l.filesDir, "plugin-dir": SYSTEM_PLUGIN_DIR, user: null };
  writeNodeFile(l.baseDir, l.cnf, setServerOptions(readNodeFile(l.baseDir, l.cnf), managed), identity);
  return identity;
}
