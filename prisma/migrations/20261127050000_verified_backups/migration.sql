-- AlterTable
ALTER TABLE "Backup" ADD COLUMN "contents" TEXT;
ALTER TABLE "Backup" ADD COLUMN "verification" TEXT;
ALTER TABLE "Backup" ADD COLUMN "verifiedAt" DATETIME;
