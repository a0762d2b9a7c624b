import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { apiError, withActor } from "@/lib/api/http";
import { getBackup } from "@/lib/backups/service";

/** The backup file (gzip'd SQL, or a gzip'd mariadb-backup stream for a physical backup), streamed. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withActor(request, async (actor) => {
    const b = await getBackup(actor, (await params).id);
    if (b.status !== "succeeded" || !fs.existsSync(b.file))
      return apiError(410, "gone", "The backup file is not available");
    const body = Readable.toWeb(fs.createReadStream(b.file)) as ReadableStream;
    return new Response(body, {
      headers: {
        "content-type": "application/gzip",
        "content-length": String(b.sizeBytes ?? fs.statSync(b.file).size),
        "content-disposition": `attachment; filename="${path.basename(b.file)}"`,
        "x-checksum-sha256": b.sha256 ?? "",
      },
    });
  });
}
