import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { getFailoverPolicy, setFailoverPolicy } from "@/lib/topology";

type Ctx = { params: Promise<{ name: string }> };

/** {autoFailover, confirmMs, revision, updatedBy, updatedAt}: the revision is what a PUT names as baseRevision. */
export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => NextResponse.json(await getFailoverPolicy(actor, (await params).name)));
}

/**
 * {autoFailover, confirmMs?, baseRevision?}: fail this master over automatically once it is dead on every probe for
 * confirmMs and no slave still receives from it. With baseRevision, a policy saved by someone else since is a 409 (without it, last writer wins).
 */
export async function PUT(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json(await setFailoverPolicy(actor, (await params).name, await readJson(request))),
  );
}
