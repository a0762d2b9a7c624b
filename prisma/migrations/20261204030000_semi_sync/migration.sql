-- Automatic failover waits a confirmation window (ms) instead of a grace period (s): a grace a user chose is kept,
-- the old default (10 s) becomes the new one (500 ms, with the slaves' IO threads as the second vantage point).
ALTER TABLE "Environment" ADD COLUMN "failoverConfirmMs" INTEGER NOT NULL DEFAULT 500;
UPDATE "Environment" SET "failoverConfirmMs" = "failoverGraceSec" * 1000 WHERE "failoverGraceSec" <> 10;
ALTER TABLE "Environment" DROP COLUMN "failoverGraceSec";

-- Semi-synchronous replication per master, and what the monitor last saw of it.
ALTER TABLE "Environment" ADD COLUMN "semiSync" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Environment" ADD COLUMN "semiSyncTimeoutMs" INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE "Environment" ADD COLUMN "semiSyncState" TEXT;
ALTER TABLE "Environment" ADD COLUMN "semiSyncSince" DATETIME;
ALTER TABLE "Environment" ADD COLUMN "semiSyncDetail" TEXT;
