import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
export const E2E_DATA_DIR = path.resolve(".mariner-e2e");
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password" };

export default defineConfig({
  testDir: "e2e",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  // The JSON report is read by scripts/check-skips.mjs: npm test fails when a browser suite was skipped.
  reporter: [["list"], ["json", { outputFile: process.env.E2E_REPORT ?? "test-results/report.json" }]],
  outputDir: "test-results",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "node scripts/start.mjs",
    url: `http://127.0.0.1:${port}/signin`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      MARINER_DATA_DIR: E2E_DATA_DIR,
      MARINER_ADMIN_EMAIL: ADMIN.email,
      MARINER_ADMIN_PASSWORD: ADMIN.password,
      // Webhooks may reach this one loopback address (test receivers bind it); every other internal address is refused.
      MARINER_WEBHOOK_ALLOW: "127.0.0.55/32",
    },
  },
});
