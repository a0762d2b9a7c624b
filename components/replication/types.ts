import type { SlaveHealth } from "@/lib/mariadb/health";
import type { MasterStatus, SlaveStatusRow } from "@/lib/mariadb/replication";

export interface ReplicationView {
  master: MasterStatus;
  slave: SlaveStatusRow | null;
  health: SlaveHealth;
  /** Named (multi-source) connections; the default one is `slave` above. */
  connections: { name: string; status: SlaveStatusRow; health: SlaveHealth }[];
  replicationUsers: { user: string; host: string; ssl: string }[];
  anonymousUsers: string[];
}

export interface MasterCandidate {
  name: string;
  host: string;
  port: number;
}
