import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { consoleServing, stopConsole } from "../../lib/console-lock";

// Real processes take the lock the console takes at start; the kernel releases it however they end.
function holder(dir: string) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `const { claimDataDir } = await import(${JSON.stringify(path.resolve("lib/console-lock.ts"))});
       claimDataDir(${JSON.stringify(dir)}); console.log("claimed"); setInterval(() => {}, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const claimed = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("claimed") && resolve());
    child.once("exit", (code) => reject(new Error(`holder exited ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, claimed, exited };
}

test("a console killed with SIGKILL leaves no lock behind; one alive is found, and stopped", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-lock-"));
  assert.equal(consoleServing(dir), null);

  const killed = holder(dir);
  await killed.claimed;
  assert.deepEqual(consoleServing(dir), { pid: killed.child.pid, here: true });
  killed.child.kill("SIGKILL");
  await killed.exited;
  assert.equal(consoleServing(dir), null, "the lock outlived a SIGKILLed console");
  assert.ok(fs.existsSync(path.join(dir, "console.pid")), "the stale pid file is still there, and ignored");

  const stopped = holder(dir);
  await stopped.claimed;
  assert.equal(await stopConsole(dir), stopped.child.pid);
  await stopped.exited;
  assert.equal(consoleServing(dir), null);
});
