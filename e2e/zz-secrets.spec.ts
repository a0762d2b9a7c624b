import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { nodesDirFor } from "../lib/paths";
import { E2E_DATA_DIR } from "../playwright.config";
import { apiToken, deleteAll } from "./helpers";

/** Runs last: every password the suites used must be absent, in plaintext, from what the console writes. */
test("no root or replication password is stored in plaintext (SQLite incl. WAL, data dir metadata, server logs)", async ({
  request,
}) => {
  const headers = await apiToken(request);
  expect((await request.post("/api/v1/environments", { headers, data: { name: "vault" } })).status()).toBe(201);
  const { password: rootPassword } = await (
    await request.get("/api/v1/environments/vault/connection", { headers })
  ).json();
  const replPassword = "zz-Repl-Secret-9281";
  await request.put("/api/v1/environments/vault/config", {
    headers,
    data: {
      content:
        (await (await request.get("/api/v1/environments/vault/config", { headers })).json()).content +
        "\nlog-bin = mysql-bin\n",
    },
  });
  expect(
    (
      await request.post("/api/v1/environments/vault/replication/users", {
        headers,
        data: { user: "zzrepl", password: replPassword },
      })
    ).status(),
  ).toBe(201);

  const secrets = [rootPassword, replPassword, "s3cret'pass", "r3pl;pass`", "wrong-password"];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      // nodes/<id>/data is MariaDB's own datadir (its master.info holds what CHANGE MASTER was given, by design).
      if (e.isDirectory() && !(e.name === "data" && path.basename(path.dirname(path.dirname(full))) === "nodes"))
        walk(full);
      else if (e.isFile()) files.push(full);
    }
  };
  walk(E2E_DATA_DIR);
  // Node directories live elsewhere when the checkout's parents are not traversable by the servers' uids.
  if (!nodesDirFor(E2E_DATA_DIR).startsWith(E2E_DATA_DIR + path.sep)) walk(nodesDirFor(E2E_DATA_DIR));
  expect(files.some((f) => f.endsWith("mariner.db"))).toBe(true);
  expect(files.some((f) => f.endsWith("error.log"))).toBe(true);
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${s} found in ${file}`).toBe(false);
  }
  await deleteAll(request);
});
