-- AlterTable
ALTER TABLE "Environment" ADD COLUMN "autoFailover" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Environment" ADD COLUMN "failoverGraceSec" INTEGER NOT NULL DEFAULT 10;

-- CreateTable
CREATE TABLE "ReplicationAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "environmentId" TEXT NOT NULL,
    "user" TEXT NOT NULL,
    "passwordEnc" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReplicationAccount_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ReplicationAccount_environmentId_key" ON "ReplicationAccount"("environmentId");
