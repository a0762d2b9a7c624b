// Backups, one concern per file; importers keep one entry point.
export * from "./archive";
export * from "./take";
export * from "./policy";
export * from "./schedule";
export * from "./restore";
export * from "./verify";
export { setBinlogArchive, archiveInput } from "./binlog-archive";
export * from "./pitr";
