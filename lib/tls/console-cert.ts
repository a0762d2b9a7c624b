import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { dataDir } from "@/lib/paths";
import { caCertFile, ensureCa, issueCertificate } from "./ca";

/** Where the console's HTTPS certificate lives: cert.pem, key.pem (0600) and ca.pem to give to browsers. */
export const consoleTlsDir = () => path.join(dataDir(), "console-tls");
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** MARINER_TLS_NAMES as DNS names and IP addresses; anything else is refused before a certificate is made. */
export function parseTlsNames(raw: string): { dnsNames: string[]; ipAddresses: string[] } {
  const names = raw
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!names.length)
    throw new Error("MARINER_TLS_NAMES is empty: give the names or addresses the console is reached at");
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const n of names) {
    if (net.isIP(n)) ipAddresses.push(n);
    else if (/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(n))
      dnsNames.push(n);
    else throw new Error(`MARINER_TLS_NAMES: "${n}" is neither a DNS name nor an IP address`);
  }
  return { dnsNames, ipAddresses };
}

/** Signed by the current console CA, for exactly these names (compared as names, not as printed text). */
function covers(pem: string, caPem: string, dnsNames: string[], ipAddresses: string[]): boolean {
  const cert = new crypto.X509Certificate(pem);
  const sans = (cert.subjectAltName ?? "").split(",").filter((s) => s.trim());
  return (
    cert.verify(new crypto.X509Certificate(caPem).publicKey) &&
    sans.length === dnsNames.length + ipAddresses.length &&
    dnsNames.every((d) => cert.checkHost(d, { subject: "never", wildcards: false }) !== undefined) &&
    ipAddresses.every((ip) => cert.checkIP(ip) !== undefined)
  );
}

/**
 * The console's certificate for these names, issued by the console CA; kept while it covers exactly these names
 * and has more than 30 days left, reissued otherwise (at the console's start).
 */
export async function ensureConsoleCertificate(rawNames: string): Promise<{ certFile: string; keyFile: string }> {
  const { dnsNames, ipAddresses } = parseTlsNames(rawNames);
  const dir = consoleTlsDir();
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  const caPem = await ensureCa("console");
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const pem = fs.readFileSync(certFile, "utf8");
    const validTo = Date.parse(new crypto.X509Certificate(pem).validTo);
    if (covers(pem, caPem, dnsNames, ipAddresses) && validTo - Date.now() > RENEW_BEFORE_MS)
      return { certFile, keyFile };
  }
  // 397 days: the longest validity browsers accept for a server certificate.
  const issued = await issueCertificate({
    authority: "console",
    commonName: dnsNames[0] ?? ipAddresses[0],
    dnsNames,
    ipAddresses,
    days: 397,
  });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Each file whole or not at all (a console stopped mid-write must not start with half a key).
  for (const [file, content] of [
    [keyFile, issued.key],
    [certFile, issued.cert],
  ]) {
    fs.writeFileSync(`${file}.new`, content, { mode: 0o600 });
    fs.renameSync(`${file}.new`, file);
  }
  fs.copyFileSync(caCertFile("console"), path.join(dir, "ca.pem"));
  return { certFile, keyFile };
}
