// Galera, as one member answers: its wsrep status, and the SST account donors log in with.
import type { Connection } from "mysql2/promise";

/** One member's view of itself and of the cluster (SHOW GLOBAL STATUS LIKE 'wsrep%'). */
export interface WsrepStatus {
  /** Synced, Donor/Desynced, Joining, Joined, Initialized… */
  state: string;
  clusterSize: number;
  /** Primary, or non-Primary / Disconnected (this side of a partition cannot commit). */
  clusterStatus: string;
  clusterUuid: string;
  ready: boolean;
  connected: boolean;
  /** Fraction of time replication was paused by flow control since the last FLUSH STATUS. */
  flowControlPaused: number;
  recvQueue: number;
  sendQueue: number;
  lastCommitted: number;
  /** Addresses of the members this one sees (client addresses, comma-separated by the server). */
  incomingAddresses: string[];
}

export async function wsrepStatus(c: Connection): Promise<WsrepStatus> {
  const [rows] = await c.query("SHOW GLOBAL STATUS LIKE 'wsrep%'");
  const v = new Map((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]));
  const num = (k: string) => Number(v.get(k) ?? 0) || 0;
  return {
    state: v.get("wsrep_local_state_comment") ?? "unknown",
    clusterSize: num("wsrep_cluster_size"),
    clusterStatus: v.get("wsrep_cluster_status") ?? "Disconnected",
    clusterUuid: v.get("wsrep_cluster_state_uuid") ?? "",
    ready: v.get("wsrep_ready") === "ON",
    connected: v.get("wsrep_connected") === "ON",
    flowControlPaused: Number(v.get("wsrep_flow_control_paused") ?? 0) || 0,
    recvQueue: num("wsrep_local_recv_queue"),
    sendQueue: num("wsrep_local_send_queue"),
    lastCommitted: num("wsrep_last_committed"),
    incomingAddresses: (v.get("wsrep_incoming_addresses") ?? "").split(",").filter(Boolean),
  };
}

/** The account mariabackup logs in with on a donor (over its socket): what a backup needs, nothing more. */
export async function ensureSstAccount(c: Connection, user: string, password: string): Promise<void> {
  await c.query("CREATE USER IF NOT EXISTS ?@'localhost' IDENTIFIED BY ?", [user, password]);
  await c.query("ALTER USER ?@'localhost' IDENTIFIED BY ?", [user, password]);
  await c.query("GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO ?@'localhost'", [user]);
}

/**
 * A desynced member may fall behind without holding the others back (no flow control): what a backup's locks
 * need. The member says Donor/Desynced meanwhile and catches up when resynced.
 */
export async function setDesync(c: Connection, on: boolean): Promise<void> {
  await c.query(`SET GLOBAL wsrep_desync = ${on ? "ON" : "OFF"}`);
}
