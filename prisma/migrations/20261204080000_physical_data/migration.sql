-- Whole-server backups may be physical (a gzip'd mariadb-backup xbstream) as well as logical (a gzip'd SQL dump).
ALTER TABLE "Backup" ADD COLUMN "format" TEXT NOT NULL DEFAULT 'sql';

-- A topology's binary logs, archived continuously from whichever server is its master (switchover and failover
-- move `masterId`); each master's files in a segment of their own, so names never collide.
CREATE TABLE "BinlogArchive" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "masterId" TEXT NOT NULL,
    "eras" TEXT NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "state" TEXT,
    "stateAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "BinlogArchive_environmentId_key" ON "BinlogArchive"("environmentId");

CREATE TABLE "ArchivedBinlog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "archiveId" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "sourceEnvironmentId" TEXT NOT NULL,
    "sourceName" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "fileName" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL DEFAULT 0,
    "startState" TEXT,
    "endState" TEXT,
    "firstEventAt" DATETIME,
    "lastEventAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ArchivedBinlog_archiveId_fkey" FOREIGN KEY ("archiveId") REFERENCES "BinlogArchive" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ArchivedBinlog_archiveId_segment_fileName_key" ON "ArchivedBinlog"("archiveId", "segment", "fileName");
