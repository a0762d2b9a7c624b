import { withActor } from "@/lib/api/http";
import { revokeToken } from "@/lib/auth/users";

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withActor(request, async (actor) => {
    await revokeToken(actor, (await params).id);
    return new Response(null, { status: 204 });
  });
}
