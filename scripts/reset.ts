// npm run reset [-- DIR] [-- --stop-console]: stops every server Mariner started under the data dir (by pid),
// waits until each has exited, and only then deletes the data dir. Refuses while a console serves that data dir
// (it would restart what is stopped and write into what is deleted) unless --stop-console says to stop it first.
import fs from "node:fs";
import path from "node:path";
import { consoleServing, servingMessage, stopConsole } from "../lib/console-lock";
import { nodesDirFor } from "../lib/paths";
import { stopNodesUnder } from "../lib/runtime/cleanup";

const args = process.argv.slice(2);
const stopFirst = args.includes("--stop-console");
const dir = path.resolve(args.find((a) => !a.startsWith("--")) ?? process.env.MARINER_DATA_DIR ?? ".mariner");

const serving = consoleServing(dir);
if (serving !== null) {
  if (!stopFirst || !serving.here) {
    console.error(`${servingMessage(dir, serving)}; nothing was stopped or deleted.`);
    if (serving.here) console.error("Stop the console first, or run: npm run reset -- --stop-console");
    process.exit(1);
  }
  console.log(`Stopping the Mariner console (pid ${serving.pid}) that serves ${dir} …`);
  await stopConsole(dir);
}
const stopped = await stopNodesUnder(dir);
if (stopped.length) console.log(`Stopped mariadbd ${stopped.join(", ")}`);
// Node directories may live outside the data dir (when its parent is not traversable by the servers' uids).
fs.rmSync(nodesDirFor(dir), { recursive: true, force: true });
fs.rmSync(dir, { recursive: true, force: true });
console.log(`Removed ${dir}`);
