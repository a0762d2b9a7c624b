import { withActor } from "@/lib/api/http";
import { deleteRule } from "@/lib/monitoring/alerts";

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withActor(request, async (actor) => {
    await deleteRule(actor, (await params).id);
    return new Response(null, { status: 204 });
  });
}
