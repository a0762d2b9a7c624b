// What the console writes into every Galera member's my.cnf: the cluster's name and members, this node's own
// addresses for group communication, IST and SST, and the SST account. Pure: the same inputs, the same lines.

export const GALERA_PROVIDER = process.env.MARINER_GALERA_PROVIDER ?? "/usr/lib/galera/libgalera_smm.so";

/** Galera's usual ports, on each member's own loopback address (a member placed elsewhere cannot share them). */
export const GALERA_PORTS = { group: 4567, ist: 4568, sst: 4444 } as const;

export interface GaleraMemberAddress {
  name: string;
  host: string;
}

export interface GaleraIdentity {
  clusterName: string;
  sstUser: string;
  sstPassword: string;
}

/**
 * The wsrep settings of one member, spelled as mariadbd prints them back (`--help --verbose`), so the console can
 * check the server reads exactly these. `binlog-format` ROW and interleaved auto-increment locks are what
 * Galera's certification requires.
 */
export function galeraOptions(
  cluster: GaleraIdentity,
  self: GaleraMemberAddress,
  members: GaleraMemberAddress[],
): Record<string, string> {
  const group = (host: string) => `${host}:${GALERA_PORTS.group}`;
  return {
    "wsrep-on": "TRUE",
    "wsrep-provider": GALERA_PROVIDER,
    "wsrep-cluster-name": cluster.clusterName,
    "wsrep-cluster-address": `gcomm://${members.map((m) => group(m.host)).join(",")}`,
    "wsrep-node-name": self.name,
    "wsrep-node-address": group(self.host),
    "wsrep-provider-options": `gmcast.listen_addr=tcp://${group(self.host)};ist.recv_addr=${self.host}:${GALERA_PORTS.ist}`,
    "wsrep-sst-receive-address": `${self.host}:${GALERA_PORTS.sst}`,
    "wsrep-sst-method": "mariabackup",
    "wsrep-sst-auth": `${cluster.sstUser}:${cluster.sstPassword}`,
    "binlog-format": "ROW",
    "innodb-autoinc-lock-mode": "2",
  };
}

/** The option names galeraOptions writes: a member's my.cnf may not change them (the console re-asserts them). */
export const GALERA_MANAGED: ReadonlySet<string> = new Set(
  Object.keys(galeraOptions({ clusterName: "", sstUser: "", sstPassword: "" }, { name: "", host: "" }, [])),
);
