-- Healing counts the slaves it keeps by membership, not by what answers right now: a slave that is restarting or
-- stopped is still one of them; only one on a lost node is replaced.
ALTER TABLE "Environment" ADD COLUMN "keptBy" TEXT;
