// Parts shared by drivers whose node directory is on the console's disk (local processes, and Docker engines on
// this machine that bind-mount it): where a node lives, how its my.cnf is wired, read, written and its log read.
import fs from "node:fs";
import path from "node:path";
import { nodesDir } from "@/lib/paths";
import { SYSTEM_PLUGIN_DIR } from "@/lib/mycnf/plugins";
import type { NodeWiring } from "@/lib/mycnf/render";
import type { NodeFiles, NodeRef, NodeSpec, RuntimeDriver } from "./driver";
import { identityOf } from "./identity";
import { nodeLayout, type NodeLayout } from "./layout";
import { makeNodeDir, readNodeFile, writeNodeFile } from "./node-files";
import { lastLines, readTail } from "./server-log";

/** A node's directory is always nodes/<nodeId>, recorded or not (a crash may precede the record). */
export const layoutOf = (node: NodeRef) => nodeLayout(node.baseDir ?? path.join(nodesDir(), node.nodeId));

export function newNodeRef(spec: NodeSpec, rootPassword: string): NodeRef {
  return {
    nodeId: spec.nodeId,
    host: spec.host,
    port: spec.port,
    baseDir: path.join(nodesDir(), spec.nodeId),
    containerId: null,
    pid: null,
    rootPassword,
  };
}

/** The keys that tie a my.cnf to its node: paths inside its directory, its address and port. */
export function wiringOf(spec: NodeSpec, baseDir: string): NodeWiring {
  const l = nodeLayout(baseDir);
  return {
    datadir: l.datadir,
    socket: l.socket,
    pidFile: l.pidFile,
    logError: l.errorLog,
    tmpdir: l.tmpdir,
    secureFilePriv: l.filesDir,
    pluginDir: SYSTEM_PLUGIN_DIR,
    bindAddress: spec.host,
    port: spec.port,
    serverId: spec.serverId,
  };
}

export const managedOptionsOf = (node: NodeRef) => managedOptionsFor(layoutOf(node), node.host, node.port);

/** The options that tie a my.cnf to where its node lives (paths as the server sees them) and its address. */
export function managedOptionsFor(l: NodeLayout, host: string, port: number): Record<string, string> {
  return {
    datadir: l.datadir,
    socket: l.socket,
    "pid-file": l.pidFile,
    "log-error": l.errorLog,
    tmpdir: l.tmpdir,
    "secure-file-priv": l.filesDir,
    "plugin-dir": SYSTEM_PLUGIN_DIR,
    "bind-address": host,
    port: String(port),
  };
}

export function readNodeConfig(node: NodeRef): string {
  const l = layoutOf(node);
  return readNodeFile(l.baseDir, l.cnf);
}

/** Atomic and owned by the server's uid (it reads it); a link planted in its place is replaced, not followed. */
export function writeNodeConfig(node: NodeRef, content: string): void {
  const l = layoutOf(node);
  writeNodeFile(l.baseDir, l.cnf, content, identityOf(l.baseDir));
}

export const tailNodeErrorLog = (node: NodeRef, lines = 50) => lastLines(readTail(layoutOf(node).errorLog), lines);

/** Files of a node whose directory is on this disk: read without following links, written owned by the console. */
export function diskNodeFiles(node: NodeRef): NodeFiles {
  const { baseDir } = layoutOf(node);
  const owner = identityOf(baseDir);
  const full = (name: string) => path.join(baseDir, name);
  return {
    path: full,
    read: async (name) =>
      fs.lstatSync(full(name), { throwIfNoEntry: false }) ? readNodeFile(baseDir, full(name)) : null,
    write: async (name, content) => {
      const dir = path.dirname(full(name));
      if (dir !== baseDir) makeNodeDir(baseDir, dir, owner, false);
      writeNodeFile(baseDir, full(name), content, owner);
    },
    publish: async () => undefined,
  };
}

/** A driver's my.cnf and error-log methods when the node directory is on this disk (local and Docker drivers). */
export const nodeDirMethods = {
  managedOptions: managedOptionsOf,
  readConfig: async (node: NodeRef) => readNodeConfig(node),
  writeConfig: async (node: NodeRef, content: string) => writeNodeConfig(node, content),
  tailErrorLog: async (node: NodeRef, lines = 50) => tailNodeErrorLog(node, lines),
  nodeFiles: diskNodeFiles,
} satisfies Pick<RuntimeDriver, "managedOptions" | "readConfig" | "writeConfig" | "tailErrorLog" | "nodeFiles">;
