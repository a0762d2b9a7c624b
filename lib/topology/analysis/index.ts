// Judging what is wrong, apart from fixing it (Orchestrator's analysis vs recovery): the doctor's findings and the
// switchover/failover pre-flight are pure functions of what discovery read from the servers.
export * from "./findings";
export * from "./promotion";
