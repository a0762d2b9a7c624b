// npm run reset: stops every server Mariner started under the data dir (by pid) and deletes the data dir.
import fs from "node:fs";
import path from "node:path";
import { nodesDirFor } from "../lib/paths";
import { stopNodesUnder } from "../lib/runtime/cleanup";

const dir = path.resolve(process.argv[2] ?? process.env.MARINER_DATA_DIR ?? ".mariner");
const stopped = await stopNodesUnder(dir);
if (stopped.length) console.log(`Stopped mariadbd ${stopped.join(", ")}`);
// Node directories may live outside the data dir (when its parent is not traversable by the servers' uids).
fs.rmSync(nodesDirFor(dir), { recursive: true, force: true });
fs.rmSync(dir, { recursive: true, force: true });
console.log(`Removed ${dir}`);
