// Galera on local nodes: bootstrapping a new primary component, and reading a stopped member's position from its
// data directory (grastate.dat after a clean stop; `mariadbd --wsrep-recover` after a crash, which runs InnoDB
// recovery and logs the last committed seqno). Every tool runs as the node's own uid.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { GaleraControl, GaleraPosition, NodeRef } from "./driver";
import { RuntimeError } from "./driver";
import { identityOf, serverProcessOptions } from "./identity";
import { layoutOf } from "./node-dir";
import { readNodeFile, writeNodeFile } from "./node-files";
import { lastLines } from "./server-log";

const run = promisify(execFile);
const MARIADBD = process.env.MARINER_MARIADBD ?? "/usr/sbin/mariadbd";
/**
 * A joiner answers logins only once its state transfer is in: a full copy of real data takes minutes. It is alive
 * all along (a failed transfer ends the process, which ends the wait at once), so waiting long risks nothing.
 */
const JOIN_READY_MS = 30 * 60_000;

interface LocalStarter {
  /** Starts the stopped node with extra mariadbd options and waits for a real login. */
  startWith(node: NodeRef, extra: string[], readyTimeoutMs?: number): Promise<NodeRef>;
  isAlive(node: NodeRef): Promise<boolean>;
}

/** grastate.dat's fields (null: no such file, as on a node that never joined). */
export function parseGrastate(text: string): { uuid: string; seqno: number; safeToBootstrap: boolean } | null {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(text)?.[1];
  const uuid = field("uuid");
  const seqno = Number(field("seqno"));
  if (!uuid || !Number.isInteger(seqno)) return null;
  return { uuid, seqno, safeToBootstrap: field("safe_to_bootstrap") === "1" };
}

const grastatePath = (node: NodeRef) => path.join(layoutOf(node).datadir, "grastate.dat");

function readGrastate(node: NodeRef) {
  const l = layoutOf(node);
  if (!fs.existsSync(grastatePath(node))) return null;
  return parseGrastate(readNodeFile(l.baseDir, grastatePath(node)));
}

/** `mariadbd --wsrep-recover`: InnoDB recovery, then "WSREP: Recovered position: uuid:seqno" in its log. */
async function recoverPosition(node: NodeRef): Promise<{ uuid: string; seqno: number }> {
  const l = layoutOf(node);
  const identity = identityOf(l.baseDir);
  const log = path.join(l.tmpdir, "wsrep-recover.log");
  fs.rmSync(log, { force: true });
  try {
    await run(MARIADBD, [`--defaults-file=${l.cnf}`, "--wsrep-recover", `--log-error=${log}`], {
      timeout: 120_000,
      ...serverProcessOptions(identity, l.baseDir),
    });
  } catch (e) {
    const lines = fs.existsSync(log) ? lastLines(readNodeFile(l.baseDir, log), 10) : [];
    throw new RuntimeError(`mariadbd --wsrep-recover failed on ${node.host}: ${(e as Error).message}`, lines);
  }
  const text = fs.existsSync(log) ? readNodeFile(l.baseDir, log) : "";
  // The last "WSREP: Recovered position" line is this run's (the log is fresh, but be exact).
  const m = [...text.matchAll(/WSREP: Recovered position:\s*([0-9a-f-]{36}):(-?\d+)/g)].at(-1);
  if (!m) throw new RuntimeError(`mariadbd --wsrep-recover found no position on ${node.host}`, lastLines(text, 10));
  return { uuid: m[1], seqno: Number(m[2]) };
}

export function localGalera(starter: LocalStarter): GaleraControl {
  return {
    bootstrap(node, known) {
      const state = readGrastate(node);
      const crashed = state && state.seqno < 0 && known && known.seqno >= 0 && known.uuid === state.uuid;
      const from = crashed ? [`--wsrep-start-position=${known.uuid}:${known.seqno}`] : [];
      return starter.startWith(node, ["--wsrep-new-cluster", ...from]);
    },

    async rejoin(node, known) {
      const state = readGrastate(node);
      // Already running (started meanwhile): recovery must not touch a live data directory. No grastate.dat: it
      // never joined (a full transfer follows). A clean stop recorded its seqno: the donor sends what it missed.
      if ((await starter.isAlive(node)) || !state || state.seqno >= 0)
        return starter.startWith(node, [], JOIN_READY_MS);
      const at = known ?? (await recoverPosition(node).catch(() => null));
      const from = at && at.seqno >= 0 ? [`--wsrep-start-position=${at.uuid}:${at.seqno}`] : [];
      return starter.startWith(node, from, JOIN_READY_MS);
    },

    async position(node): Promise<GaleraPosition | null> {
      const state = readGrastate(node);
      if (state && state.seqno >= 0) return { ...state, source: "grastate" };
      // -1 (or no file): the server did not stop cleanly; its data knows how far it got.
      const recovered = await recoverPosition(node);
      if (recovered.seqno < 0 && !state) return null;
      return { ...recovered, safeToBootstrap: state?.safeToBootstrap ?? false, source: "wsrep-recover" };
    },

    async allowBootstrap(node) {
      const l = layoutOf(node);
      const file = grastatePath(node);
      const text = fs.existsSync(file) ? readNodeFile(l.baseDir, file) : null;
      if (!text || !parseGrastate(text)) throw new RuntimeError(`${node.host} has no grastate.dat: it never joined`);
      const identity = identityOf(l.baseDir);
      const updated = /^safe_to_bootstrap:/m.test(text)
        ? text.replace(/^safe_to_bootstrap:.*$/m, "safe_to_bootstrap: 1")
        : `${text.trimEnd()}\nsafe_to_bootstrap: 1\n`;
      // The server rewrites this file itself: it stays its own, as it was.
      writeNodeFile(l.baseDir, file, updated, identity, true);
    },
  };
}
