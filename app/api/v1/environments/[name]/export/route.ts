import fs from "node:fs";
import { Readable } from "node:stream";
import { withActor } from "@/lib/api/http";
import { exportDatabases } from "@/lib/data/export";

/**
 * `?database=a&database=b` (none: every database), `&compress=none` for plain SQL → a .sql.gz (or .sql) download,
 * its SHA-256 in X-Checksum-SHA256.
 */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const query = new URL(request.url).searchParams;
    const compress = query.get("compress") ?? undefined;
    const out = await exportDatabases(actor, (await params).name, { databases: query.getAll("database"), compress });
    // Headers first (the file name is built from validated names only), then the file, deleted once sent or dropped.
    const headers = {
      "Content-Type": out.gzip ? "application/gzip" : "application/sql",
      "Content-Length": String(out.bytes),
      "Content-Disposition": `attachment; filename="${out.fileName}"`,
      "X-Checksum-SHA256": out.sha256,
      "X-Mariner-Source": out.source,
      "Cache-Control": "no-store",
    };
    const stream = fs.createReadStream(out.file);
    stream.once("close", () => fs.rmSync(out.file, { force: true }));
    return new Response(Readable.toWeb(stream) as ReadableStream, { headers });
  });
}
