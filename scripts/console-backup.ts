// npm run console:backup -- FILE: the console's own state (store, keys, CAs, TLS files) as one encrypted file,
// taken while the console runs. The passphrase: MARINER_BACKUP_PASSPHRASE, the terminal, or standard input.
import fs from "node:fs";
import { takeConsoleBackup } from "../lib/console-state/backup";
import { askPassphrase } from "../lib/console-state/passphrase";
import { dataDir } from "../lib/paths";

const file = process.argv[2];
if (!file || file.startsWith("--")) {
  console.error("Usage: npm run console:backup -- FILE");
  process.exit(2);
}
try {
  const sealed = await takeConsoleBackup(dataDir(), await askPassphrase(true));
  fs.writeFileSync(file, sealed, { mode: 0o600 });
  console.log(`Console state of ${dataDir()} written to ${file} (${sealed.length} bytes, encrypted)`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
