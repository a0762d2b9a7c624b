// npm run console:restore -- FILE [--replace]: puts a console backup back into the data dir (MARINER_DATA_DIR).
// Refuses a wrong passphrase, a backup from a newer version, a running console, and (without --replace) a data
// dir that already has a store. Servers are not touched: the console adopts them when it starts.
import fs from "node:fs";
import { restoreConsoleBackup } from "../lib/console-state/restore";
import { askPassphrase } from "../lib/console-state/passphrase";
import { dataDir } from "../lib/paths";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("Usage: npm run console:restore -- FILE [--replace]");
  process.exit(2);
}
try {
  const summary = await restoreConsoleBackup({
    dir: dataDir(),
    file: fs.readFileSync(file),
    passphrase: await askPassphrase(false),
    replace: args.includes("--replace"),
  });
  console.log(
    `Restored the console state of ${summary.createdAt} into ${dataDir()}: ${summary.users} users, ` +
      `${summary.environments} environments, ${summary.tokens} API tokens` +
      (summary.migrated.length ? `; migrated ${summary.migrated.join(", ")}` : ""),
  );
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
