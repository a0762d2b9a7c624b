import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";
import { stopNodesUnder } from "../lib/runtime/cleanup";
import { signIn } from "./helpers";

const run = promisify(execFile);
const PASSPHRASE = "console state passphrase";

/** Runs one of the console's own npm scripts (tsx), returning its exit code and output instead of throwing. */
async function script(file: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", `scripts/${file}`, ...args], {
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

test("Console: Download console backup gives an encrypted file and is recorded", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Console" }).click();
  await expect(page.getByTestId("store-schema")).toHaveText(/^\d{14}_\w+$/);
  await page.getByLabel("Passphrase", { exact: true }).fill(PASSPHRASE);
  await page.getByLabel("Passphrase again").fill("something else entirely");
  await page.getByRole("button", { name: "Download console backup" }).click();
  await expect(page.locator("main").getByRole("alert")).toHaveText("The two passphrases differ");

  await page.getByLabel("Passphrase", { exact: true }).fill(PASSPHRASE);
  await page.getByLabel("Passphrase again").fill(PASSPHRASE);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download console backup" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^mariner-console-[\d-]+\.mcb$/);
  const file = path.join(os.tmpdir(), `e2e-${download.suggestedFilename()}`);
  await download.saveAs(file);
  const content = fs.readFileSync(file);
  expect(content.subarray(0, 25).toString()).toBe("MARINER-CONSOLE-BACKUP 1\n");
  // Encrypted: the admin's e-mail, in the store in clear, is nowhere in the file's body.
  expect(content.subarray(content.indexOf(0x0a, 25)).includes("admin@e2e.test")).toBe(false);
  await expect(page.locator("main").getByRole("status")).toContainText("Downloaded mariner-console-");
  await page.reload();
  await expect(page.getByTestId("last-console-backup")).toContainText("by admin@e2e.test");

  // It restores into an empty data dir; the wrong passphrase restores nothing.
  const target = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-console-restore-"));
  fs.rmSync(target, { recursive: true });
  const wrong = await script("console-restore.ts", [file], {
    MARINER_DATA_DIR: target,
    MARINER_BACKUP_PASSPHRASE: "not the passphrase",
  });
  expect(wrong.code).toBe(1);
  expect(wrong.out).toContain("Wrong passphrase");
  expect(fs.existsSync(path.join(target, "mariner.db"))).toBe(false);
  const right = await script("console-restore.ts", [file], {
    MARINER_DATA_DIR: target,
    MARINER_BACKUP_PASSPHRASE: PASSPHRASE,
  });
  expect(right.out).toMatch(/Restored the console state of .* \d+ users, \d+ environments, \d+ API tokens/);
  expect(right.code).toBe(0);
  fs.rmSync(target, { recursive: true, force: true });
  fs.rmSync(file, { force: true });
});

test("npm run reset refuses while this console serves its data dir, and deletes nothing", async () => {
  const before = fs.readdirSync(E2E_DATA_DIR).sort();
  const refused = await script("reset.ts", [E2E_DATA_DIR]);
  expect(refused.code).toBe(1);
  expect(refused.out).toMatch(/A Mariner console \(pid \d+\) is serving .*nothing was stopped or deleted/);
  expect(refused.out).toContain("npm run reset -- --stop-console");
  expect(fs.readdirSync(E2E_DATA_DIR).sort()).toEqual(before);
});

/** The fields these calls read (each answer has some of them). */
interface ApiBody {
  token: string;
  status: string;
  statusDetail: string;
  password: string;
  revisions: { id: string }[];
  environments: { name: string }[];
}

/** A second console over HTTPS (its certificate from its own console CA), on its own data dir. */
class SecondConsole {
  proc?: ChildProcess;
  log = "";
  constructor(
    readonly dir: string,
    readonly port = 3291,
    readonly httpsPort = 3292,
  ) {}
  async start() {
    this.log = "";
    this.proc = spawn(process.execPath, ["scripts/start.mjs"], {
      env: {
        ...process.env,
        MARINER_DATA_DIR: this.dir,
        HOST: "127.0.0.1",
        PORT: String(this.port),
        HTTPS_PORT: String(this.httpsPort),
        MARINER_TLS_NAMES: "localhost,127.0.0.1",
        MARINER_ADMIN_EMAIL: "owner@second.test",
        MARINER_ADMIN_PASSWORD: "second-console-password",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const s of [this.proc.stdout!, this.proc.stderr!]) s.on("data", (d) => (this.log += d));
    await expect.poll(() => this.log, { timeout: 60_000 }).toContain("listening on https://");
  }
  call(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; json: ApiBody }> {
    const ca = fs.readFileSync(path.join(this.dir, "console-tls", "ca.pem"));
    return new Promise((resolve, reject) => {
      const req = https.request(
        `https://localhost:${this.httpsPort}${route}`,
        {
          method,
          ca,
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : null }));
        },
      );
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
  async stop() {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await exited;
    }
  }
}

test("console backup → reset → restore: the same environments, tokens and revisions", async () => {
  test.setTimeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-second-console-"));
  const second = new SecondConsole(dir);
  const file = path.join(os.tmpdir(), "e2e-second-console.mcb");
  try {
    await second.start();
    const { json: signedIn } = await second.call("POST", "/api/v1/auth/token", {
      email: "owner@second.test",
      password: "second-console-password",
    });
    const token = signedIn.token as string;
    const created = await second.call("POST", "/api/v1/environments", { name: "survivor" }, token);
    expect(created.status).toBe(201);
    const { json: kept } = await second.call("POST", "/api/v1/tokens", { name: "kept" }, token);
    const keptToken = kept.token as string;
    const { json: revisionsBefore } = await second.call(
      "GET",
      "/api/v1/environments/survivor/config/revisions",
      undefined,
      token,
    );
    expect(revisionsBefore.revisions.length).toBeGreaterThan(0);
    const { json: connectionBefore } = await second.call(
      "GET",
      "/api/v1/environments/survivor/connection",
      undefined,
      token,
    );
    expect(connectionBefore.password.length).toBeGreaterThan(10);
    const backup = await script("console-backup.ts", [file], {
      MARINER_DATA_DIR: dir,
      MARINER_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(backup.code).toBe(0);

    // Reset stops the console first when told to, then every server, waits for them, and only then deletes.
    const serverPid = Number(fs.readFileSync(path.join(dir, "console.pid"), "utf8").split(" ")[0]);
    const reset = await script("reset.ts", [dir, "--stop-console"]);
    expect(reset.out).toContain(`Stopping the Mariner console (pid ${serverPid})`);
    expect(reset.out).toMatch(/Stopped mariadbd \d+/);
    expect(reset.code).toBe(0);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(`/proc/${serverPid}`)).toBe(false);
    await second.stop();

    const restored = await script("console-restore.ts", [file], {
      MARINER_DATA_DIR: dir,
      MARINER_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(restored.out).toContain("1 environments");
    expect(restored.code).toBe(0);
    await second.start();
    // The API token made before the backup still opens the restored console; the environment and its revisions
    // are the same records (its server's data went with the reset: the console says so rather than hiding it).
    const { status, json: listed } = await second.call("GET", "/api/v1/environments", undefined, keptToken);
    expect(status).toBe(200);
    expect(listed.environments.map((e: { name: string }) => e.name)).toEqual(["survivor"]);
    const { json: revisionsAfter } = await second.call(
      "GET",
      "/api/v1/environments/survivor/config/revisions",
      undefined,
      keptToken,
    );
    expect(revisionsAfter.revisions.map((r: { id: string }) => r.id)).toEqual(
      revisionsBefore.revisions.map((r: { id: string }) => r.id),
    );
    // The stored root password decrypts to the same value: the key that encrypts it came back with the store.
    const { json: connectionAfter } = await second.call(
      "GET",
      "/api/v1/environments/survivor/connection",
      undefined,
      keptToken,
    );
    expect(connectionAfter.password).toBe(connectionBefore.password);
    // Its server's data went with the reset (a console backup holds none): shown as such, not as running.
    const shown = await second.call("GET", "/api/v1/environments/survivor", undefined, keptToken);
    expect(shown.json.status).toBe("down");
    expect(shown.json.statusDetail).toMatch(/Data directory .* is missing/);
  } catch (e) {
    console.log(second.log);
    throw e;
  } finally {
    await second.stop();
    await stopNodesUnder(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
  }
});
