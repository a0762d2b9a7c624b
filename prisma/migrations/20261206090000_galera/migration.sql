-- Galera clusters: each member is an environment (its own my.cnf, SQL console, backups) tied to its cluster.
CREATE TABLE "GaleraCluster" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "clusterName" TEXT NOT NULL,
    "sstUser" TEXT NOT NULL,
    "sstPasswordEnc" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'creating',
    "statusDetail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "GaleraCluster_clusterName_key" ON "GaleraCluster"("clusterName");
CREATE UNIQUE INDEX "GaleraCluster_ownerId_name_key" ON "GaleraCluster"("ownerId", "name");

-- Plain columns: lib/galera removes a cluster's members with it.
ALTER TABLE "Environment" ADD COLUMN "galeraClusterId" TEXT;
ALTER TABLE "Environment" ADD COLUMN "galeraIndex" INTEGER;
CREATE INDEX "Environment_galeraClusterId_idx" ON "Environment"("galeraClusterId");
