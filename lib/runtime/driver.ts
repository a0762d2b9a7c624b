import type { Readable, Writable } from "node:stream";

/** What every runtime (local processes, Docker containers) must do for one MariaDB node. */
export interface NodeSpec {
  nodeId: string;
  host: string;
  port: number;
  serverId: number;
  memoryMb: number;
}

/** What the console persists about a node so any driver instance can act on it later. */
export interface NodeRef {
  nodeId: string;
  host: string;
  port: number;
  baseDir: string | null;
  containerId: string | null;
  pid: number | null;
  rootPassword: string;
}

export type CreateStep = "allocating" | "initializing data directory" | "starting" | "ready";

export interface NodeStatus {
  state: "running" | "stopped" | "unresponsive";
  pid?: number | null;
  version?: string;
  uptimeSeconds?: number;
  detail?: string;
}

export interface Placement {
  host: string;
  port: number;
}

/** What placement should honour beyond free addresses (runtimes with several machines to choose from). */
export interface PlacementHints {
  /** Addresses of servers the new one should not share a machine with (its master, its siblings). */
  avoid?: string[];
  /** A machine label the server requires, e.g. "disk=ssd" (Swarm node labels). */
  label?: string | null;
}

export interface RuntimeDriver {
  /** The runtime in its stored form (what environment rows carry). */
  readonly kind: string;
  /** The MariaDB version the runtime would create, read from the real binary or image. */
  engineVersion(): Promise<string>;
  /** Picks a free address; `taken` are addresses already recorded for other nodes. */
  place(taken: Placement[], hints?: PlacementHints): Promise<Placement>;
  /** Initializes, starts, provisions (root password, no anonymous users) and waits for a real login. Cleans up on failure. */
  create(spec: NodeSpec, rootPassword: string, onStep: (step: CreateStep) => void | Promise<void>): Promise<NodeRef>;
  start(node: NodeRef): Promise<NodeRef>;
  stop(node: NodeRef): Promise<NodeRef>;
  restart(node: NodeRef): Promise<NodeRef>;
  destroy(node: NodeRef): Promise<void>;
  status(node: NodeRef): Promise<NodeStatus>;
  /** Cheap liveness (no login): used by the monitor every few seconds. */
  isAlive(node: NodeRef): Promise<boolean>;
  /**
   * Why the machine the servers run on (given a node: the one it runs on) cannot be asked at all (null: it answers).
   * "Host unreachable" ≠ "server down".
   */
  hostProblem(node?: NodeRef): Promise<string | null>;
  readConfig(node: NodeRef): Promise<string>;
  /** The my.cnf values the console owns for this node (datadir, socket, bind-address, …; not server-id). */
  managedOptions(node: NodeRef): Record<string, string>;
  /** Asks the real server binary whether it accepts a candidate my.cnf, without touching the running server. */
  validateConfig(node: NodeRef, content: string): Promise<ConfigCheck>;
  writeConfig(node: NodeRef, content: string): Promise<void>;
  tailErrorLog(node: NodeRef, lines?: number): Promise<string[]>;
  /** Reads the node's binary logs where they are (its server may be dead); see binlog-scan.ts. */
  scanBinlogs(node: NodeRef, onLine: (line: string) => void): Promise<boolean>;
  /** Small files the server reads (TLS material), kept wherever the node lives. */
  nodeFiles(node: NodeRef): NodeFiles;
  /** Physical copies (mariadb-backup) where the runtime can reach the data directory; absent: logical only. */
  readonly physical?: PhysicalCopier;
  /** Galera members where the runtime can start a server as a new cluster and read its state; absent: none. */
  readonly galera?: GaleraControl;
}

/** Where a stopped Galera member's data stands: the cluster it belongs to and its last committed seqno. */
export interface GaleraPosition {
  uuid: string;
  seqno: number;
  /** grastate.dat says this node may bootstrap (it was the last to leave a cleanly stopped cluster). */
  safeToBootstrap: boolean;
  /** How the position was learnt: grastate.dat (a clean stop) or `mariadbd --wsrep-recover` (a crash). */
  source: "grastate" | "wsrep-recover";
}

export interface GaleraControl {
  /**
   * Starts the stopped node as the first member of a new primary component (`--wsrep-new-cluster`). `known`: the
   * position recovered after a crash, so the cluster carries on its history (uuid and seqno) instead of starting
   * a new one (which would force every other member into a full copy).
   */
  bootstrap(node: NodeRef, known?: GaleraPosition | null): Promise<NodeRef>;
  /**
   * Starts the stopped node to join a running cluster from where its data stands: after a crash grastate.dat says
   * -1, so the position InnoDB recovered is passed on (`--wsrep-start-position`) and the donor can send only what
   * it missed (IST) instead of a full copy (SST). A node that never joined gets its full copy (waited for).
   * `known`: its position as just read (a full-crash recovery read them all), so it is not read twice.
   */
  rejoin(node: NodeRef, known?: GaleraPosition | null): Promise<NodeRef>;
  /** The stopped node's position: grastate.dat, or when that says -1 (a crash), what InnoDB recovery finds. */
  position(node: NodeRef): Promise<GaleraPosition | null>;
  /** Marks the stopped node as the one allowed to bootstrap (safe_to_bootstrap: 1 in its grastate.dat). */
  allowBootstrap(node: NodeRef): Promise<void>;
}

/** GTID positions a physical backup recorded (null: the file was absent). */
export interface BackupPositions {
  /** xtrabackup_binlog_info: the source's own binary log position (its gtid_binlog_pos). */
  binlogGtid: string | null;
  /** xtrabackup_slave_info: a slave source's gtid_slave_pos (the position in its master's stream). */
  slaveGtid: string | null;
}

/** Where a completed backup stands, as mariadb-backup logged it. */
export interface BackupLog extends BackupPositions {
  binlogFile: string | null;
  binlogPos: number | null;
}

/** A running `mariadb-backup --backup --stream=xbstream` of one node. */
export interface PhysicalStream {
  /** The xbstream (null when the backup writes into a stream it was given). */
  stream: Readable | null;
  /** Resolves when the backup completed OK (with the positions it logged); rejects with its own lines. */
  done: Promise<BackupLog>;
  cancel(): void;
}

export interface PhysicalCopier {
  /** Starts a backup of the running node, into `into` when given (the unpacker's own stdin), else a new stream. */
  backup(node: NodeRef, into?: Writable): PhysicalStream;
  /**
   * Replaces the node's data with a backup and starts the server with the node's own root password: `source` is
   * a stream (unpacked once `sourceDone` says it is whole) or, to copy without passing through the console, a
   * function that starts the backup writing into the unpacker's stdin and returns its completion. On failure the
   * node's previous data is put back (left stopped).
   */
  receive(
    node: NodeRef,
    source: Readable | ((stdin: Writable) => Promise<unknown>),
    sourceDone?: Promise<unknown>,
  ): Promise<{ node: NodeRef; positions: BackupPositions; bytes: number }>;
}

/** Files of one node by their name relative to its directory (e.g. "tls/server.pem"). */
export interface NodeFiles {
  /** The path as the server sees it (what my.cnf names). */
  path(name: string): string;
  read(name: string): Promise<string | null>;
  /** Readable by the server, writable by the console only. */
  write(name: string, content: string | Buffer): Promise<void>;
  /**
   * Makes what was written visible to the running server. Files on a disk or in a volume are at once (no-op);
   * a Swarm mounts its configs and secrets when a task starts, so its server is restarted.
   */
  publish(): Promise<void>;
}

/** The binary's verdict on a candidate my.cnf. */
export interface ConfigCheck {
  ok: boolean;
  /** Error lines to show when it refused. */
  lines: string[];
  /** stdout of `--help --verbose`: ends with the value of every variable as the binary resolved them. */
  help: string;
  /** stderr: notes such as "Using unique option prefix 'init-fil' … use the full name 'init_file'". */
  notes: string;
  /** The options the server would be started with, as my_print_defaults reads the file ("--name=value"). */
  args: string[];
}

/** A failure with the server's own error lines attached, shown verbatim to the user. */
export class RuntimeError extends Error {
  /**
   * Drivers are shared process-wide (globalThis): one built by another bundle layer (the monitor's) throws that
   * layer's copy of this class, which a plain prototype check would not recognise.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      value instanceof Error && value.name === "RuntimeError" && Array.isArray((value as RuntimeError).serverLines)
    );
  }

  constructor(
    message: string,
    readonly serverLines: string[] = [],
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}
