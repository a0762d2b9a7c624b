-- CreateTable
CREATE TABLE "LagSample" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "environmentId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "secondsBehind" INTEGER,
    "canaryMs" REAL
);

-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "environmentId" TEXT NOT NULL,
    "environmentName" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "sourceName" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "sizeBytes" INTEGER,
    "sha256" TEXT,
    "gtidPosition" TEXT,
    "binlogFile" TEXT,
    "binlogPos" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'running',
    "error" TEXT,
    "scheduled" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "BackupPolicy" (
    "environmentId" TEXT NOT NULL PRIMARY KEY,
    "schedule" TEXT,
    "keepLast" INTEGER,
    "keepDays" INTEGER,
    "lastRunAt" DATETIME
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "environmentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "thresholdSec" INTEGER,
    "forSec" INTEGER NOT NULL DEFAULT 0,
    "webhookUrl" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ruleId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "firedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clearedAt" DATETIME,
    CONSTRAINT "Alert_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "LagSample_environmentId_at_idx" ON "LagSample"("environmentId", "at");

-- CreateIndex
CREATE INDEX "Backup_environmentId_startedAt_idx" ON "Backup"("environmentId", "startedAt");

-- CreateIndex
CREATE INDEX "AlertRule_environmentId_idx" ON "AlertRule"("environmentId");

-- CreateIndex
CREATE INDEX "Alert_environmentId_firedAt_idx" ON "Alert"("environmentId", "firedAt");
