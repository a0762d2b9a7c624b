import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";

/**
 * What a console backup holds besides the store: the key that encrypts every stored secret, the session secret,
 * the CAs (certificates and encrypted keys) and the console's own TLS certificate. Never tenants' data: servers
 * keep theirs (volumes, node directories) and their backups are files of their own.
 */
export const STATE_FILES = ["secret.key", "auth.secret"];
export const STATE_DIRS = ["ca", "engine-ca", "console-ca", "console-tls"];
export const STORE_ENTRY = "mariner.db";
/** Present in a data dir while a restore moves files into it: the console refuses to start on a half-restore. */
export const RESTORE_MARKER = "restore.incomplete";

/** Only these names may come out of an archive: nothing outside the data dir, nothing else inside it. */
export function isStateEntry(name: string): boolean {
  if (name === STORE_ENTRY || STATE_FILES.includes(name)) return true;
  const [dir, file, ...rest] = name.split("/");
  return STATE_DIRS.includes(dir) && !!file && rest.length === 0 && /^[\w.-]+$/.test(file) && !file.startsWith(".");
}

/** The state files present under `dir` (regular files only), as archive names. */
export function stateFilesIn(dir: string): string[] {
  const names = STATE_FILES.filter((f) => fs.lstatSync(path.join(dir, f), { throwIfNoEntry: false })?.isFile());
  for (const d of STATE_DIRS) {
    const full = path.join(dir, d);
    if (!fs.lstatSync(full, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort())
      if (isStateEntry(`${d}/${f}`) && fs.lstatSync(path.join(full, f)).isFile()) names.push(`${d}/${f}`);
  }
  return names;
}

export async function packEntries(entries: { name: string; content: Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, mode: 0o600, size: e.content.length }, e.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function unpackEntries(archive: Buffer): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const entries = new Map<string, Buffer>();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on("data", (c) => chunks.push(c as Buffer));
      body.on("end", () => {
        if (header.type === "file") entries.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  Readable.from([archive]).pipe(extract);
  await done;
  return entries;
}
