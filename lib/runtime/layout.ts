import path from "node:path";
import type { NodeIdentity } from "./identity";
import { makeNodeDir } from "./node-files";

/** One node = one directory holding its my.cnf, datadir, socket, pid file and error log. */
export function nodeLayout(baseDir: string) {
  return {
    baseDir,
    cnf: path.join(baseDir, "my.cnf"),
    datadir: path.join(baseDir, "data"),
    socket: path.join(baseDir, "mariadb.sock"),
    pidFile: path.join(baseDir, "mariadb.pid"),
    errorLog: path.join(baseDir, "error.log"),
    tmpdir: path.join(baseDir, "tmp"),
    /** secure-file-priv: the only place LOAD DATA / SELECT … INTO OUTFILE may touch. */
    filesDir: path.join(baseDir, "files"),
  };
}

export type NodeLayout = ReturnType<typeof nodeLayout>;

/** The directories a server writes besides its datadir, owned by its identity (made again if missing). */
export function makeServerDirs(l: NodeLayout, owner: NodeIdentity | null) {
  makeNodeDir(l.baseDir, l.tmpdir, owner, true);
  makeNodeDir(l.baseDir, l.filesDir, owner, true);
}
