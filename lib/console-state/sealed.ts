import crypto from "node:crypto";
import { promisify } from "node:util";
import { ServiceError } from "@/lib/errors";

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/**
 * A console backup file: a magic line, a JSON header line (what it holds, which schema, the key derivation), then
 * AES-256-GCM over a tar of the files. The key comes from the operator's passphrase (scrypt); the header is
 * authenticated too, so neither the contents nor the schema it claims can be changed without the passphrase.
 */
const MAGIC = "MARINER-CONSOLE-BACKUP 1\n";
// 64 MiB and ~0.3 s per guess here; off the event loop (the console keeps serving while it derives).
const SCRYPT = { N: 1 << 16, r: 8, p: 1, maxmem: 160 * 1024 * 1024 };
export const MIN_PASSPHRASE = 12;

export interface SealedHeader {
  createdAt: string;
  /** Every migration applied to the store it holds, oldest first. */
  migrations: string[];
  files: string[];
  console: string;
}

interface KeyParams {
  salt: string;
  iv: string;
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
}

function key(passphrase: string, k: KeyParams): Promise<Buffer> {
  return scrypt(passphrase.normalize("NFC"), Buffer.from(k.salt, "base64"), 32, {
    N: k.N,
    r: k.r,
    p: k.p,
    maxmem: SCRYPT.maxmem,
  });
}

export function checkPassphrase(passphrase: string) {
  if (passphrase.length < MIN_PASSPHRASE)
    throw new ServiceError(400, "weak_passphrase", `The passphrase needs at least ${MIN_PASSPHRASE} characters`);
}

export async function seal(header: SealedHeader, payload: Buffer, passphrase: string): Promise<Buffer> {
  checkPassphrase(passphrase);
  const k: KeyParams = {
    kdf: "scrypt",
    ...SCRYPT,
    salt: crypto.randomBytes(16).toString("base64"),
    iv: crypto.randomBytes(12).toString("base64"),
  };
  delete (k as Partial<typeof SCRYPT>).maxmem;
  const headerLine = JSON.stringify({ ...header, key: k }) + "\n";
  const cipher = crypto.createCipheriv("aes-256-gcm", await key(passphrase, k), Buffer.from(k.iv, "base64"));
  cipher.setAAD(Buffer.from(MAGIC + headerLine));
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([Buffer.from(MAGIC + headerLine), body, cipher.getAuthTag()]);
}

const damaged = () =>
  new ServiceError(422, "not_a_console_backup", "This is not a Mariner console backup (or it is truncated)");

/** The header, readable without the passphrase (what the file holds and which schema). */
export function readHeader(file: Buffer): { header: SealedHeader & { key: KeyParams }; bodyStart: number } {
  if (file.subarray(0, MAGIC.length).toString() !== MAGIC) throw damaged();
  const end = file.indexOf(0x0a, MAGIC.length);
  if (end < 0) throw damaged();
  try {
    const header = JSON.parse(file.subarray(MAGIC.length, end).toString("utf8"));
    if (!Array.isArray(header.migrations) || header.key?.kdf !== "scrypt") throw damaged();
    return { header, bodyStart: end + 1 };
  } catch {
    throw damaged();
  }
}

export async function unseal(file: Buffer, passphrase: string): Promise<{ header: SealedHeader; payload: Buffer }> {
  const { header, bodyStart } = readHeader(file);
  if (file.length < bodyStart + 16) throw damaged();
  const k = header.key;
  // Costs come from the file: whole numbers within what this version makes, or it is not ours.
  const whole = (v: unknown, max: number) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max;
  if (typeof k.salt !== "string" || typeof k.iv !== "string") throw damaged();
  if (!whole(k.N, SCRYPT.N) || (k.N & (k.N - 1)) !== 0 || !whole(k.r, 8) || !whole(k.p, 1)) throw damaged();
  const decipher = crypto.createDecipheriv("aes-256-gcm", await key(passphrase, k), Buffer.from(k.iv, "base64"));
  decipher.setAAD(file.subarray(0, bodyStart));
  decipher.setAuthTag(file.subarray(file.length - 16));
  try {
    const payload = Buffer.concat([decipher.update(file.subarray(bodyStart, file.length - 16)), decipher.final()]);
    return { header, payload };
  } catch {
    throw new ServiceError(
      422,
      "wrong_passphrase",
      "Wrong passphrase, or the file was changed since it was made: nothing was restored",
    );
  }
}
