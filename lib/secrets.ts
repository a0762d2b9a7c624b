import crypto from "node:crypto";
import fs from "node:fs";
import { ensureDataDir, secretKeyFile, authSecretFile } from "./paths";

/** Reads a random secret from the data dir, creating it (0600) on first use. */
function fileSecret(file: string, bytes: number): Buffer {
  ensureDataDir();
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const secret = crypto.randomBytes(bytes);
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (e) {
    // Another process won the race: use its key, never overwrite one.
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file);
    throw e;
  }
}

const g = globalThis as unknown as { marinerKey?: Buffer; marinerKeyFile?: string };
function key(): Buffer {
  const file = secretKeyFile();
  if (!g.marinerKey || g.marinerKeyFile !== file) {
    g.marinerKey = fileSecret(file, 32);
    g.marinerKeyFile = file;
  }
  return g.marinerKey;
}

/** Created at the console's start, so that every store it serves has its key beside it (and in its backups). */
export function ensureSecretKey() {
  key();
}

/** AES-256-GCM; output "v1.<iv>.<tag>.<ciphertext>" in base64url. */
export function encryptSecret(plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ct === undefined) throw new Error("Unrecognised secret format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}

/** Password for generated accounts: URL/shell/SQL-safe characters only, 24 chars (~143 bits). */
export function generatePassword(length = 24): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = crypto.randomBytes(length * 2);
  let out = "";
  for (const b of bytes) {
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out;
}

const ga = globalThis as unknown as { marinerAuthSecret?: string };
export function authSecret(): string {
  return (ga.marinerAuthSecret ??=
    process.env.NEXTAUTH_SECRET ?? fileSecret(authSecretFile(), 32).toString("base64url"));
}

export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}
