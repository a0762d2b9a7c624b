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

/**
 * Mariner's own certificate authorities: a public certificate each, and its key kept encrypted in the data dir.
 * "servers" signs what tenants' servers use (server certificates, replication client certificates); "engines"
 * signs only Docker engines' TLS and the console's client certificate for them; "console" signs only the
 * console's own HTTPS certificate. Separate CAs, because whoever trusts a CA trusts every certificate it signed:
 * one a tenant could obtain must never open a Docker engine, nor pass for the console in a browser.
 */
export type Authority = "servers" | "engines" | "console";
const CA_DIRS: Record<Authority, string> = { servers: "ca", engines: "engine-ca", console: "console-ca" };
const caDir = (authority: Authority = "servers") => path.join(dataDir(), CA_DIRS[authority]);
export const caCertFile = (authority: Authority = "servers") => path.join(caDir(authority), "ca.crt");
const caKeyFile = (authority: Authority) => path.join(caDir(authority), "ca.key.enc");

/** The servers CA's subject as MariaDB prints it (REQUIRE ISSUER compares with this). */
export const CA_SUBJECT = "/CN=Mariner CA";
const SUBJECTS: Record<Authority, string> = {
  servers: CA_SUBJECT,
  engines: "/CN=Mariner engine CA",
  console: "/CN=Mariner console CA",
};

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

export async function ensureCa(authority: Authority = "servers"): Promise<string> {
  return withLock(`ca:${authority}`, async () => {
    if (fs.existsSync(caCertFile(authority)) && fs.existsSync(caKeyFile(authority)))
      return fs.readFileSync(caCertFile(authority), "utf8");
    fs.mkdirSync(caDir(authority), { recursive: true, mode: 0o700 });
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
        SUBJECTS[authority],
        "-out",
        cert,
      ]);
      fs.writeFileSync(caKeyFile(authority), encryptSecret(fs.readFileSync(key, "utf8")), { mode: 0o600 });
      fs.copyFileSync(cert, caCertFile(authority));
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
  authority?: Authority;
}): Promise<IssuedCert> {
  const authority = opts.authority ?? "servers";
  await ensureCa(authority);
  return scratch(async (dir) => {
    const caKey = path.join(dir, "ca.key");
    fs.writeFileSync(caKey, decryptSecret(fs.readFileSync(caKeyFile(authority), "utf8")), { mode: 0o600 });
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
      caCertFile(authority),
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
