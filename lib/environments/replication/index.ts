// Replication of one environment, one concern per file; importers keep one entry point.
export * from "./status";
export * from "./users";
export * from "./source";
export * from "./control";
export * from "./check";
