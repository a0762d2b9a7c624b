-- AlterTable
ALTER TABLE "BackupPolicy" ADD COLUMN "verifySchedule" TEXT;
ALTER TABLE "BackupPolicy" ADD COLUMN "verifyLastRunAt" DATETIME;
