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

/** The text without any [sst] group: what the tenant's review sees (the console re-writes the group after). */
export function withoutSst(text: string): string {
  const kept: string[] = [];
  let inSst = false;
  for (const line of text.split("\n")) {
    const header = /^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]/.exec(line);
    if (header) inSst = header[1].toLowerCase() === "sst";
    if (!inSst) kept.push(line);
  }
  while (kept.length && kept.at(-1)!.trim() === "") kept.pop();
  return kept.join("\n") + "\n";
}

/** The console's [sst] group for a member on `host`. */
export const sstGroup = (host: string) => [
  "[sst]",
  "# Managed by Mariner: state transfers listen on this node's own address only.",
  `sockopt = ",bind=${host}"`,
];

/**
 * The SST script's own group. Its socat listens on every interface unless told otherwise, so a joiner's receiver
 * is bound to the member's own address (and the donor's sender too). Only the console writes this group: its other
 * keys (compressor, cpat, …) are shell commands. It goes first, so lines added at the end stay in [mysqld].
 */
export function withManagedSst(text: string, host: string): string {
  return [...sstGroup(host), "", withoutSst(text).trimStart()].join("\n");
}
