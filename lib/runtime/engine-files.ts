// A node's files on its Docker host, read and written only through the Engine API (archive download/upload on the
// node's container): nothing of the node is on the console's disk, so the host can be another machine.
import path from "node:path";
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import tar from "tar-stream";

/** Who owns what the console writes: root-owned, readable by the server's group (it reads, never rewrites them). */
export interface FileOwner {
  uid: number;
  gid: number;
}

export interface EngineEntry {
  /** Path relative to the upload directory; a trailing "/" makes a directory. */
  name: string;
  content?: string | Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/** Uploads entries (directories and files, with owner and mode) under `dir` of the container, in one archive. */
export async function uploadEntries(container: Docker.Container, dir: string, entries: EngineEntry[]) {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date() };
    if (e.name.endsWith("/")) pack.entry({ ...header, type: "directory" });
    else pack.entry(header, e.content ?? "");
  }
  pack.finalize();
  await container.putArchive(pack as unknown as Readable, { path: dir });
}

/** One file's content (its last `maxBytes` when given); null when it does not exist. */
export async function downloadFile(
  container: Docker.Container,
  file: string,
  maxBytes?: number,
): Promise<Buffer | null> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await container.getArchive({ path: file });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw e;
  }
  const extract = tar.extract();
  let found: Buffer | null = null;
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, body, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      body.on("data", (chunk) => {
        const d = chunk as Buffer;
        if (header.type !== "file") return;
        chunks.push(d);
        size += d.length;
        // Only the end is kept for a log that may be large.
        while (maxBytes && chunks.length > 1 && size - chunks[0].length >= maxBytes) size -= chunks.shift()!.length;
      });
      body.on("end", () => {
        if (header.type === "file" && found === null) found = Buffer.concat(chunks);
        next();
      });
      body.resume();
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  stream.pipe(extract);
  await done;
  if (found && maxBytes && (found as Buffer).length > maxBytes) return (found as Buffer).subarray(-maxBytes);
  return found;
}

/** Writes one file (creating nothing else) with the owner and mode given. */
export async function uploadFile(
  container: Docker.Container,
  file: string,
  content: string | Buffer,
  owner: FileOwner,
  mode = 0o640,
) {
  await uploadEntries(container, path.posix.dirname(file), [
    { name: path.posix.basename(file), content, mode, uid: owner.uid, gid: owner.gid },
  ]);
}

/** A file's size from the engine's stat of it (no download); 0 when it does not exist. */
export async function fileSize(container: Docker.Container, file: string): Promise<number> {
  try {
    const res = (await container.infoArchive({ path: file })) as unknown as {
      headers: Record<string, string | undefined>;
      resume?: () => void;
    };
    res.resume?.();
    const stat = res.headers["x-docker-container-path-stat"];
    return stat ? Number(JSON.parse(Buffer.from(stat, "base64").toString("utf8")).size ?? 0) : 0;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return 0;
    throw e;
  }
}
