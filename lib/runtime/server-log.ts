import path from "node:path";
import { nodeFileSize, tailNodeFile } from "./node-files";

export function lastLines(text: string, n: number): string[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return lines.slice(-n);
}

/** The end of a log the server writes, never through a link it planted (the log sits in its node directory). */
export function readTail(file: string, maxBytes = 64 * 1024): string {
  try {
    return tailNodeFile(path.dirname(file), file, maxBytes);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Error lines from the server log: what the user needs to see when a start fails. */
export function errorLinesSince(file: string, offset: number): string[] {
  const text = readTail(file, 256 * 1024);
  let size = 0;
  try {
    size = nodeFileSize(path.dirname(file), file);
  } catch (e) {
    return [(e as Error).message];
  }
  const fresh = size > offset ? text.slice(Math.max(0, text.length - (size - offset))) : text;
  const lines = lastLines(fresh, 40);
  const errors = lines.filter((l) => /\[ERROR\]|error|Aborting|unknown/i.test(l));
  return (errors.length ? errors : lines).slice(-15);
}

/** The common root causes, in plain words, ahead of the server's own lines. */
export function withCause(message: string, lines: string[]): string {
  const text = lines.join("\n");
  if (/error 28\b|No space left|out of disk space/i.test(text))
    return `${message}: the disk holding the data directory is full`;
  if (/error 13\b|Permission denied/i.test(text)) return `${message}: permission denied on the data directory`;
  if (/Address already in use|Do you already have another server/i.test(text))
    return `${message}: its address is already in use`;
  if (/unknown (variable|option)/i.test(text)) return `${message}: my.cnf has an option this server does not know`;
  return message;
}
