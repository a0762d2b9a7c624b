import { withActor } from "@/lib/api/http";
import { removeHost } from "@/lib/runtime/hosts";

export async function DELETE(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    await removeHost(actor, (await params).name);
    return new Response(null, { status: 204 });
  });
}
