// A stand-in console process for the fault suite: runs one operation and gets SIGKILLed by the test mid-way.
import fs from "node:fs";

const [dataDir, action, name, contentFile] = process.argv.slice(2);
process.env.MARINER_DATA_DIR = dataDir;
const svc = await import("../../lib/environments/service");
const cfg = await import("../../lib/environments/config");
const { db } = await import("../../lib/db/client");

if (action === "config") {
  // Die at the worst moment on purpose: the server is stopped and the new my.cnf is on disk.
  const { LocalDriver } = await import("../../lib/runtime/local");
  LocalDriver.prototype.restart = async function (node) {
    await this.stop(node);
    return new Promise(() => setInterval(() => {}, 1000)); // hang (alive) until killed
  };
}

const u = await db().user.findFirstOrThrow({ where: { role: "admin" } });
const actor = { id: u.id, email: u.email, role: "admin" as const };
if (action === "create") await svc.createEnvironment(actor, { name });
if (action === "config")
  await cfg.saveConfig(actor, name, { content: fs.readFileSync(contentFile, "utf8") }).catch(() => undefined);
console.log("finished");
