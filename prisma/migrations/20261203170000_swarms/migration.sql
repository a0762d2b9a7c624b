-- Docker Swarms registered by their manager endpoint (same TLS credentials as a host), and what a topology on a
-- Swarm keeps: how many slaves it should have (healing) and the node label its servers require.
ALTER TABLE "DockerHost" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'engine';
ALTER TABLE "Environment" ADD COLUMN "desiredSlaves" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Environment" ADD COLUMN "nodeLabel" TEXT;
