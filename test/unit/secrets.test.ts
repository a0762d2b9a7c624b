import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { useTempDataDir } from "../support/env";

const dir = useTempDataDir("secrets");
const { decryptSecret, encryptSecret, generatePassword } = await import("../../lib/secrets");

test("secrets round-trip, never appear in the ciphertext, and tampering is detected", () => {
  const plain = "p'a\"s`s;w\0rd";
  const sealed = encryptSecret(plain);
  assert.ok(!sealed.includes(plain));
  assert.notEqual(encryptSecret(plain), sealed, "random IV per encryption");
  assert.equal(decryptSecret(sealed), plain);
  const parts = sealed.split(".");
  parts[3] = Buffer.from("tampered").toString("base64url");
  assert.throws(() => decryptSecret(parts.join(".")));
  const key = fs.statSync(path.join(dir, "secret.key"));
  assert.equal(key.mode & 0o777, 0o600);
});

test("generated passwords are long and SQL/shell-safe", () => {
  const pw = generatePassword();
  assert.match(pw, /^[A-Za-z0-9]{24}$/);
  assert.notEqual(generatePassword(), pw);
});
