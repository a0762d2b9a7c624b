-- AlterTable
ALTER TABLE "ProxyEndpoint" ADD COLUMN "runtime" TEXT NOT NULL DEFAULT 'local';
