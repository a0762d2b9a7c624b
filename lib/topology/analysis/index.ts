// Judging what is wrong, apart from fixing it (Orchestrator's analysis vs recovery): the doctor's findings, the
// switchover/failover pre-flight and healing's count are pure functions of what discovery read from the servers.
export * from "./acknowledged";
export * from "./findings";
export * from "./healing";
export * from "./promotion";
