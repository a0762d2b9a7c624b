import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { dataDir } from "@/lib/paths";
import { decryptSecret, encryptSecret } from "@/lib/secrets";
import { withLock } from "@/lib/locks";

const run = promisify(execFile);

/** Mariner's own certificate authority: a public certificate, and its key kept encrypted in the data dir. */
const caDir = () => path.join(dataDir(), "ca");
export const caCertFile = () => path.join(caDir(), "ca.crt");
const caKeyFile = () => path.join(caDir(), "ca.key.enc");

/** The CA's subject as MariaDB prints it (REQUIRE ISSUER compares with this). */
export const CA_SUBJECT = "/CN=Mariner CA";

export interface IssuedCert {
  cert: string;
  key: string;
  notAfter: Date;
}

/** A private scratch dir for key material, removed whatever happens. */
async function scratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariner-tls-"));
  fs.chmodSync(dir, 0o700);
  try {
    return await work(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function ensureCa(): Promise<string> {
  return withLock("ca", async () => {
    if (fs.existsSync(caCertFile()) && fs.existsSync(caKeyFile())) return fs.readFileSync(caCertFile(), "utf8");
    fs.mkdirSync(caDir(), { recursive: true, mode: 0o700 });
    return scratch(async (dir) => {
      const key = path.join(dir, "ca.key");
      const cert = path.join(dir, "ca.crt");
      await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
      await run("openssl", [
        "req",
        "-x509",
        "-new",
        "-key",
        key,
        "-sha256",
        "-days",
        "3650",
        "-subj",
        CA_SUBJECT,
        "-out",
        cert,
      ]);
      fs.writeFileSync(caKeyFile(), encryptSecret(fs.readFileSync(key, "utf8")), { mode: 0o600 });
      fs.copyFileSync(cert, caCertFile());
      return fs.readFileSync(cert, "utf8");
    });
  });
}

/**
 * Issues a certificate signed by the console CA: a server certificate (SAN = its address) or a client one.
 * `subject` is a full "/O=…/OU=…/CN=…" (characters restricted by the caller); else CN = commonName.
 */
export async function issueCertificate(opts: {
  commonName?: string;
  subject?: string;
  ipAddresses?: string[];
  dnsNames?: string[];
  client?: boolean;
  days?: number;
}): Promise<IssuedCert> {
  await ensureCa();
  return scratch(async (dir) => {
    const caKey = path.join(dir, "ca.key");
    fs.writeFileSync(caKey, decryptSecret(fs.readFileSync(caKeyFile(), "utf8")), { mode: 0o600 });
    const key = path.join(dir, "leaf.key");
    const csr = path.join(dir, "leaf.csr");
    const cert = path.join(dir, "leaf.crt");
    const ext = path.join(dir, "ext.cnf");
    const san = [...(opts.ipAddresses ?? []).map((ip) => `IP:${ip}`), ...(opts.dnsNames ?? []).map((d) => `DNS:${d}`)];
    fs.writeFileSync(
      ext,
      [
        "basicConstraints = CA:FALSE",
        `extendedKeyUsage = ${opts.client ? "clientAuth" : "serverAuth"}`,
        "keyUsage = digitalSignature, keyEncipherment",
        ...(san.length ? [`subjectAltName = ${san.join(", ")}`] : []),
      ].join("\n"),
    );
    await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
    const subject = opts.subject ?? `/CN=${(opts.commonName ?? "").replace(/[^A-Za-z0-9 ._()-]/g, "")}`;
    await run("openssl", ["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caCertFile(),
      "-CAkey",
      caKey,
      "-set_serial",
      `0x${crypto.randomBytes(12).toString("hex")}`,
      "-days",
      String(opts.days ?? 825),
      "-sha256",
      "-extfile",
      ext,
      "-out",
      cert,
    ]);
    const pem = fs.readFileSync(cert, "utf8");
    return {
      cert: pem,
      key: fs.readFileSync(key, "utf8"),
      notAfter: new Date(new crypto.X509Certificate(pem).validTo),
    };
  });
}

export function certificateExpiry(pem: string): Date {
  return new Date(new crypto.X509Certificate(pem).validTo);
}
