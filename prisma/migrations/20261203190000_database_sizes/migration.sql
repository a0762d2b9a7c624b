-- Per-database size over time for the Databases tab (sampled by the monitor, kept 7 days).
CREATE TABLE "DatabaseSizeSample" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "environmentId" TEXT NOT NULL,
    "database" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "bytes" BIGINT NOT NULL
);
CREATE INDEX "DatabaseSizeSample_environmentId_at_idx" ON "DatabaseSizeSample"("environmentId", "at");
