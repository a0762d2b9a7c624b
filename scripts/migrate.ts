// Applies pending migrations to the console's SQLite store (also done automatically at start).
import { applyMigrations } from "../lib/db/migrate";
import { databaseFile, ensureDataDir } from "../lib/paths";

ensureDataDir();
const applied = applyMigrations(databaseFile());
console.log(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database schema is up to date.");
