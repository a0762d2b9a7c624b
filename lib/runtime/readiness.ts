// Parts every driver composes to bring a server up and to ask it how it is: wait for its socket, set the root
// password (no anonymous users), wait for a real TCP login, and read its status through that login.
import fs from "node:fs";
import { withConnection } from "@/lib/mariadb/connect";
import { RuntimeError, type NodeRef, type NodeStatus } from "./driver";
import type { NodeLayout } from "./layout";
import { errorLinesSince, withCause } from "./server-log";

export const READY_TIMEOUT_MS = 60_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's own error lines written since start-up began, read from wherever its log lives. */
export type StartupLog = () => Promise<string[]>;

/** A log on this disk, from `offset` on. */
export const diskLog =
  (l: NodeLayout, offset = 0): StartupLog =>
  async () =>
    errorLinesSince(l.errorLog, offset);

async function exited(log: StartupLog): Promise<RuntimeError> {
  const lines = await log();
  return new RuntimeError(withCause("mariadbd exited during start-up", lines), lines);
}

/** Until the fresh server answers on its socket (root without a password, or already provisioned). */
export async function waitForSocket(alive: () => Promise<boolean>, l: NodeLayout, logOffset = 0): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!(await alive())) throw await exited(diskLog(l, logOffset));
    if (fs.existsSync(l.socket)) {
      try {
        await withConnection(
          { socketPath: l.socket, user: "root", password: "" },
          async (c) => c.query("SELECT 1"),
          1000,
        );
        return;
      } catch (e) {
        if ((e as { code?: string }).code === "ER_ACCESS_DENIED_ERROR") return;
      }
    }
    await sleep(15);
  }
  throw new RuntimeError(
    `mariadbd did not accept connections within ${READY_TIMEOUT_MS / 1000} s`,
    errorLinesSince(l.errorLog, logOffset),
  );
}

/** Root gets the generated password on every row; anonymous users (which shadow real ones) are dropped. */
export async function provisionRoot(socket: string, rootPassword: string): Promise<void> {
  await withConnection({ socketPath: socket, user: "root", password: "" }, async (c) => {
    const [rows] = await c.query("SELECT User AS user, Host AS host FROM mysql.user WHERE User IN ('', 'root')");
    for (const { user, host } of rows as { user: string; host: string }[]) {
      const keep = user === "root" && ["localhost", "127.0.0.1", "::1"].includes(host);
      if (keep) await c.query("ALTER USER ?@? IDENTIFIED BY ?", [user, host, rootPassword]);
      else await c.query("DROP USER ?@?", [user, host]);
    }
  });
}

/** Until root logs in over TCP at the node's address: "started" means usable, not merely running. */
export async function waitForLogin(
  ref: NodeRef,
  alive: () => Promise<boolean>,
  log: StartupLog,
  timeoutMs = READY_TIMEOUT_MS,
) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (!(await alive())) throw await exited(log);
    try {
      await withConnection(
        { host: ref.host, port: ref.port, user: "root", password: ref.rootPassword },
        (c) => c.query("SELECT 1"),
        1000,
      );
      return;
    } catch (e) {
      lastError = (e as Error).message;
      if ((e as { code?: string }).code === "ER_ACCESS_DENIED_ERROR") {
        throw new RuntimeError("The server is up but refused the root login", [lastError]);
      }
    }
    await sleep(15);
  }
  throw new RuntimeError(`mariadbd did not accept connections within ${timeoutMs / 1000} s`, [
    ...(await log()),
    lastError,
  ]);
}

/** Version and uptime through a root login; "unresponsive" with the reason when it is alive but does not answer. */
export async function loginStatus(node: NodeRef, pid: number | null): Promise<NodeStatus> {
  try {
    return await withConnection(
      { host: node.host, port: node.port, user: "root", password: node.rootPassword },
      async (c) => {
        const [rows] = await c.query(
          "SELECT VERSION() AS version, VARIABLE_VALUE AS uptime FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'",
        );
        const row = (rows as { version: string; uptime: string }[])[0];
        return { state: "running" as const, pid, version: row.version, uptimeSeconds: Number(row.uptime) };
      },
      2000,
    );
  } catch (e) {
    return { state: "unresponsive", pid, detail: (e as Error).message };
  }
}
