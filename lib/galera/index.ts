// Galera clusters: multi-master members (each an environment) created, watched, recovered and changed together.
export { beginCreateCluster, createClusterInput } from "./create";
export { clusterStatus } from "./status";
export { beginRecoverCluster } from "./recover";
export { beginRollingConfig, parseSettingsText } from "./rolling";
export { removeMember, deleteCluster } from "./remove";
export { beginAddMember } from "./add";
export { createGaleraEndpoints, deleteGaleraEndpoints, galeraEndpointOf, refreshGaleraEndpoints } from "./endpoints";
export { getCluster, listClusters } from "./members";
