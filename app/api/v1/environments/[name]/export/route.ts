import fs from "node:fs";
import { Readable } from "node:stream";
import { withActor } from "@/lib/api/http";
import { exportDatabases } from "@/lib/data/export";

/** `?database=a&database=b` → a .sql.gz download with its SHA-256 in X-Checksum-SHA256. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const databases = new URL(request.url).searchParams.getAll("database");
    const out = await exportDatabases(actor, (await params).name, { databases });
    const stream = fs.createReadStream(out.file);
    stream.once("close", () => fs.rmSync(out.file, { force: true }));
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "Content-Type": "application/gzip",
        "Content-Length": String(out.bytes),
        "Content-Disposition": `attachment; filename="${out.fileName}"`,
        "X-Checksum-SHA256": out.sha256,
        "X-Mariner-Source": out.source,
        "Cache-Control": "no-store",
      },
    });
  });
}
