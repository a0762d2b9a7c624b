// Topology operations, one concern per file, behind one entry point (`@/lib/topology`). Judging (preflight, doctor's
// analysis) stays apart from acting (switchover, failover).
export { SLAVE_OPTIONS, antiFlapMs } from "./steps";
export * from "./seed";
export * from "./reseed";
export * from "./relocate";
export * from "./filters";
export * from "./preflight";
export * from "./switchover";
export * from "./failover";
export * from "./endpoints";
export * from "./heal";
export { getSemiSync, semiSyncInput, semiSyncView, setSemiSync } from "./semisync";
