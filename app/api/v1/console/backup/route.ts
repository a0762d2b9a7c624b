import { readJson, withActor } from "@/lib/api/http";
import { consoleBackupFor } from "@/lib/console-state/service";

/** Admin: the console's own state as an encrypted file (npm run console:restore puts it back). */
export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const { fileName, content } = await consoleBackupFor(actor, await readJson(request));
    return new Response(new Uint8Array(content), {
      headers: {
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="${fileName}"`,
        "cache-control": "no-store",
      },
    });
  });
}
