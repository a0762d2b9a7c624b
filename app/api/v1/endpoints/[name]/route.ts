import { withActor } from "@/lib/api/http";
import { deleteEndpoints } from "@/lib/proxy/endpoints";

export async function DELETE(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    await deleteEndpoints(actor, (await params).name);
    return new Response(null, { status: 204 });
  });
}
