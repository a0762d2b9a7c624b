// One MariaDB server as a Swarm service: one replica pinned to one node, its data in a local volume there, its
// files as configs and secrets, the node's own network (ingress publishing needs IPVS; host networking binds the
// server on the node's address like a host-mode published port, without NAT). Updates roll back by the engine.
import { nodeLayout } from "./layout";
import { CAGE, SERVER, volumeName } from "./docker-node";
import { targetOf } from "./swarm-objects";

/**
 * The volume is mounted over the image's /var/tmp: a fresh volume copies that directory's mode (1777), so the
 * server's uid (never root) makes its own 0700 directory there, with no set-up step running as root.
 */
export const SWARM_VOLUME_ROOT = "/var/tmp";
export const swarmLayout = nodeLayout(`${SWARM_VOLUME_ROOT}/node`);
/** The server logs to stderr: the Swarm keeps it per task and gives it back through the manager. */
export const SWARM_LOG = "/dev/stderr";

const SECONDS = 1_000_000_000;

/** A service update that does not come up is rolled back by the Swarm itself, the old task stopped first. */
export const UPDATE_CONFIG = {
  Parallelism: 1,
  Order: "stop-first",
  FailureAction: "rollback",
  Monitor: 5 * SECONDS,
  MaxFailureRatio: 0,
};
export const ROLLBACK_CONFIG = { Parallelism: 1, Order: "stop-first", FailureAction: "pause", Monitor: 5 * SECONDS };

/** Initializes the data directory on first start and sets the accounts from their secret while it is mounted. */
function startScript() {
  const l = swarmLayout;
  const cnf = targetOf("my.cnf");
  return [
    "umask 077",
    `mkdir -p '${l.datadir}' '${l.tmpdir}' '${l.filesDir}' || exit 1`,
    `[ -d '${l.datadir}/mysql' ] || mariadb-install-db --defaults-file='${cnf}' --auth-root-authentication-method=normal --skip-test-db >&2 || exit 1`,
    // Mounted only until the server is provisioned (the driver then forgets it): later starts leave root alone.
    `init=''; [ -f '${targetOf("provision.sql")}' ] && init='--init-file=${targetOf("provision.sql")}'`,
    `exec mariadbd --defaults-file='${cnf}' $init`,
  ].join("; ");
}

export interface TaskInput {
  nodeId: string;
  swarmNodeId: string;
  image: string;
  memoryMb: number;
  mounts: { Configs: unknown[]; Secrets: unknown[] };
  forceUpdate?: number;
}

export function taskTemplate(t: TaskInput) {
  return {
    ContainerSpec: {
      Image: t.image,
      Command: ["sh", "-c", startScript()],
      Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
      User: `${SERVER.uid}:${SERVER.gid}`,
      Labels: { "mariner.node": t.nodeId, "mariner.console": "1" },
      ReadOnly: CAGE.ReadonlyRootfs,
      CapabilityDrop: CAGE.CapDrop,
      Mounts: [
        { Type: "volume", Source: volumeName(t.nodeId), Target: SWARM_VOLUME_ROOT },
        { Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 } },
      ],
      StopGracePeriod: 60 * SECONDS,
      ...t.mounts,
    },
    Resources: { Limits: { MemoryBytes: t.memoryMb * 1024 * 1024, Pids: CAGE.PidsLimit } },
    // The console decides about restarts (its restart policy, failover): a dead master must not come back by itself.
    RestartPolicy: { Condition: "none" },
    Placement: { Constraints: [`node.id==${t.swarmNodeId}`] },
    Networks: [{ Target: "host" }],
    ForceUpdate: t.forceUpdate ?? 0,
  };
}

/** The one-shot task that empties a node's volume on its Swarm node (the API cannot remove a volume there). */
export function wipeTemplate(nodeId: string, swarmNodeId: string, image: string) {
  return {
    ContainerSpec: {
      Image: image,
      // Everything in the volume, not only node/: nothing the server may have left next to it survives.
      Command: ["sh", "-c", `rm -rf ${SWARM_VOLUME_ROOT}/..?* ${SWARM_VOLUME_ROOT}/.[!.]* ${SWARM_VOLUME_ROOT}/*`],
      User: `${SERVER.uid}:${SERVER.gid}`,
      Labels: { "mariner.wipe": nodeId, "mariner.console": "1" },
      CapabilityDrop: CAGE.CapDrop,
      Mounts: [{ Type: "volume", Source: volumeName(nodeId), Target: SWARM_VOLUME_ROOT }],
    },
    RestartPolicy: { Condition: "none" },
    Placement: { Constraints: [`node.id==${swarmNodeId}`] },
    Networks: [{ Target: "host" }],
  };
}
