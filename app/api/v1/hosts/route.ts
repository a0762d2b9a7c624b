import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { ServiceError } from "@/lib/errors";
import { listHosts, registerHost } from "@/lib/runtime/hosts";

/** Docker hosts ("hardnodes") with health: reachable, engine version, memory, image present. */
export async function GET(request: Request) {
  return withActor(request, async (actor) => {
    if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can manage Docker hosts");
    return NextResponse.json({ hosts: await listHosts() });
  });
}

/** {name, endpoint: unix:///…sock | tcp://host:2376, image?} — refused unless the engine answers. */
export async function POST(request: Request) {
  return withActor(request, async (actor) =>
    NextResponse.json(await registerHost(actor, await readJson(request)), { status: 201 }),
  );
}
