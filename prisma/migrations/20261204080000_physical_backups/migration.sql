-- Whole-server backups may be physical (a gzip'd mariadb-backup xbstream) as well as logical (a gzip'd SQL dump).
ALTER TABLE "Backup" ADD COLUMN "format" TEXT NOT NULL DEFAULT 'sql';
