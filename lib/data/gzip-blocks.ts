import { promisify } from "node:util";
import zlib from "node:zlib";

const gzip = promisify(zlib.gzip);

/**
 * gzip in independent 1 MB members compressed on the thread pool side by side (as pigz does): a multi-member file
 * is one valid .gz to gunzip, zcat and zlib, and compression keeps pace with mariadb-dump instead of being the
 * slowest stage of an export. For stream.pipeline: order is kept, at most `parallel` blocks are in memory.
 */
export function gzipBlocks(level = 1, blockSize = 1 << 20, parallel = 3) {
  return async function* (source: AsyncIterable<Buffer>) {
    const inflight: Promise<Buffer>[] = [];
    const start = (block: Buffer) => {
      const p = gzip(block, { level });
      p.catch(() => undefined); // awaited in order below; this keeps a later failure from being "unhandled"
      inflight.push(p);
    };
    let parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of source) {
      parts.push(chunk);
      size += chunk.length;
      if (size < blockSize) continue;
      start(Buffer.concat(parts));
      parts = [];
      size = 0;
      if (inflight.length >= parallel) yield await inflight.shift()!;
    }
    if (size) start(Buffer.concat(parts));
    for (const p of inflight) yield await p;
  };
}
