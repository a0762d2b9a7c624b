-- AlterTable
ALTER TABLE "Backup" ADD COLUMN "checksums" TEXT;
