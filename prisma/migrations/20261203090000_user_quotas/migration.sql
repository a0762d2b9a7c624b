-- AlterTable
ALTER TABLE "User" ADD COLUMN "maxEnvironments" INTEGER;
ALTER TABLE "User" ADD COLUMN "maxMemoryMb" INTEGER;
