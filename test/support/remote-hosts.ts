// A Docker host that really is apart (scripts/remote-host.sh), set up the way an admin would: the console issues
// the engine's certificates, they are installed, the engine is (re)started with them. Used by tests and the bench.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Actor } from "../../lib/auth/actor";

const script = path.resolve("scripts/remote-host.sh");

/** Issues the engine's certificates into `dir`, starts a fresh engine with them; the console's client credentials. */
export async function startRemoteHost(actor: Actor, name: string, address: string, dir: string) {
  const { issueEngineCredentials } = await import("../../lib/runtime/engine-credentials");
  const issued = await issueEngineCredentials(actor, { address });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [file, content] of Object.entries(issued.engineFiles))
    fs.writeFileSync(path.join(dir, file), content, { mode: 0o600 });
  // A fresh engine with these certificates (one a previous run left behind would trust another CA).
  remoteHost("stop", name);
  remoteHost("start", name, address, dir);
  return issued.client;
}

/** start NAME ADDRESS CERTDIR, stop-engine NAME (the machine stays), stop NAME (engine and machine gone). */
export function remoteHost(action: "start" | "stop" | "stop-engine", ...args: string[]) {
  execFileSync("bash", [script, action, ...args], { stdio: "inherit" });
}
