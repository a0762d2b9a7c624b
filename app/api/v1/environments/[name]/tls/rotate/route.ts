import { NextResponse } from "next/server";
import { withActor } from "@/lib/api/http";
import { ensureServerTls } from "@/lib/environments/tls";
import { getEnvironment } from "@/lib/environments/service";

/** Issues a fresh server certificate now (loaded with FLUSH SSL, no restart when TLS is already on). */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const env = await getEnvironment(actor, (await params).name);
    return NextResponse.json(await ensureServerTls(actor, env, true));
  });
}
