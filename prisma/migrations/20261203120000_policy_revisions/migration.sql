-- Optimistic concurrency for policies edited in place: a save names the revision it was built from.
ALTER TABLE "BackupPolicy" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "BackupPolicy" ADD COLUMN "updatedBy" TEXT;
ALTER TABLE "BackupPolicy" ADD COLUMN "updatedAt" DATETIME;
ALTER TABLE "Environment" ADD COLUMN "failoverPolicyRevision" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Environment" ADD COLUMN "failoverPolicyBy" TEXT;
ALTER TABLE "Environment" ADD COLUMN "failoverPolicyAt" DATETIME;
