import type { Connection } from "mysql2/promise";

// MariaDB's built-in semi-synchronous replication (no plugin since 10.3.3): the statements and the status of one server.

export interface SemiSyncStatus {
  masterEnabled: boolean;
  /**
   * Commits wait for a slave's acknowledgement right now. MariaDB's own Rpl_semi_sync_master_status stays ON with
   * no semi-sync slave connected (wait_no_slave=OFF: commits then wait for nobody), so clients are counted too.
   */
  masterActive: boolean;
  /** Semi-sync slaves connected to this master. */
  clients: number;
  /** Commits acknowledged / not acknowledged by a slave since the server started. */
  ackedTx: number;
  unackedTx: number;
  timeoutMs: number;
  waitPoint: string;
  slaveEnabled: boolean;
  /** This server's IO thread acknowledges what it receives. */
  slaveActive: boolean;
}

export async function semiSyncStatus(c: Connection): Promise<SemiSyncStatus> {
  const [[vars], [status]] = (await Promise.all([
    c.query(
      "SELECT @@rpl_semi_sync_master_enabled AS me, @@rpl_semi_sync_slave_enabled AS se, @@rpl_semi_sync_master_timeout AS t, @@rpl_semi_sync_master_wait_point AS wp",
    ),
    c.query(
      "SELECT VARIABLE_NAME AS k, VARIABLE_VALUE AS v FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('RPL_SEMI_SYNC_MASTER_STATUS', 'RPL_SEMI_SYNC_MASTER_CLIENTS', 'RPL_SEMI_SYNC_MASTER_YES_TX', 'RPL_SEMI_SYNC_MASTER_NO_TX', 'RPL_SEMI_SYNC_SLAVE_STATUS')",
    ),
  ])) as unknown as [[Record<string, unknown>[]], [{ k: string; v: string }[]]];
  const v = vars[0];
  const s = new Map(status.map((r) => [r.k.toUpperCase(), r.v]));
  const clients = Number(s.get("RPL_SEMI_SYNC_MASTER_CLIENTS") ?? 0);
  return {
    masterEnabled: Number(v.me) === 1,
    masterActive: s.get("RPL_SEMI_SYNC_MASTER_STATUS") === "ON" && clients > 0,
    clients,
    ackedTx: Number(s.get("RPL_SEMI_SYNC_MASTER_YES_TX") ?? 0),
    unackedTx: Number(s.get("RPL_SEMI_SYNC_MASTER_NO_TX") ?? 0),
    timeoutMs: Number(v.t),
    waitPoint: String(v.wp),
    slaveEnabled: Number(v.se) === 1,
    slaveActive: s.get("RPL_SEMI_SYNC_SLAVE_STATUS") === "ON",
  };
}

/**
 * The master side. AFTER_SYNC: a commit is visible to nobody until a slave has it in its relay log, so a client
 * never sees data that a failover could lose. wait_no_slave OFF: a master left without slaves (a promoted one)
 * does not stall every commit for the timeout; it is shown as fallen back instead.
 */
export async function setSemiSyncMaster(c: Connection, on: boolean, timeoutMs: number): Promise<void> {
  if (on)
    await c.query(
      "SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC', rpl_semi_sync_master_timeout = ?, rpl_semi_sync_master_wait_no_slave = OFF, rpl_semi_sync_master_enabled = ON",
      [timeoutMs],
    );
  else await c.query("SET GLOBAL rpl_semi_sync_master_enabled = OFF");
}

/** The slave side: read when the IO thread connects, so a running one is reconnected to take it. */
export async function setSemiSyncSlave(c: Connection, on: boolean): Promise<void> {
  await c.query(`SET GLOBAL rpl_semi_sync_slave_enabled = ${on ? "ON" : "OFF"}`);
  const [rows] = (await c.query("SHOW SLAVE STATUS")) as unknown as [{ Slave_IO_Running: string }[]];
  if (rows[0] && rows[0].Slave_IO_Running !== "No") {
    await c.query("STOP SLAVE IO_THREAD");
    await c.query("START SLAVE IO_THREAD");
  }
}

/** Semi-sync on a master in words: off, active, or fallen back to asynchronous (and why). */
export function explainSemiSync(
  s: SemiSyncStatus,
  unackedSince = 0,
): { state: "off" | "active" | "fallen-back"; detail: string } {
  if (!s.masterEnabled) return { state: "off", detail: "asynchronous: commits do not wait for a slave" };
  if (s.clients === 0)
    return { state: "fallen-back", detail: "no semi-sync slave is connected: commits are acknowledged without one" };
  if (!s.masterActive)
    return {
      state: "fallen-back",
      detail: `a slave did not acknowledge within ${s.timeoutMs} ms: asynchronous until a slave catches up`,
    };
  if (unackedSince > 0)
    return { state: "fallen-back", detail: `${unackedSince} commit(s) were acknowledged without a slave meanwhile` };
  const slaves = `${s.clients} semi-sync slave${s.clients === 1 ? "" : "s"}`;
  return { state: "active", detail: `every commit waits for ${slaves} (${s.waitPoint}, timeout ${s.timeoutMs} ms)` };
}
