// Run by start.mjs before the console serves HTTPS: the certificate for MARINER_TLS_NAMES from the console CA
// (issued or renewed here; kept otherwise). Prints the certificate and key paths as JSON.
import { ensureConsoleCertificate } from "../lib/tls/console-cert";

try {
  console.log(JSON.stringify(await ensureConsoleCertificate(process.env.MARINER_TLS_NAMES ?? "")));
} catch (e) {
  console.error(`Mariner: ${(e as Error).message}`);
  process.exit(1);
}
