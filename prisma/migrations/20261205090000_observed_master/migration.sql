-- The server each environment replicated from at its last look (name of an environment, or host:port outside the
-- console; null: not a slave). Stopped servers keep it, so lists group a cluster without logging into every server.
ALTER TABLE "Environment" ADD COLUMN "observedMaster" TEXT;
