import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { promoteInput } from "@/lib/api/schemas";
import { getEnvironment } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { discoverTopology } from "@/lib/topology/discover";
import { beginFailover, beginSwitchover, preflight } from "@/lib/topology";
import { parseInput } from "@/lib/validation";

/** Promotes this slave: a switchover when its master is alive, a failover when it is dead. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) => {
    const env = await getEnvironment(actor, (await params).name);
    const { demoteOldMaster } = parseInput(promoteInput, await readJson(request));
    const master = (await discoverTopology(actor)).nodes.find((n) => n.name === env.name)?.master;
    if (!master) throw new ServiceError(409, "not_a_slave", `${env.name} is not a slave of one of your environments`);
    const report = await preflight(actor, master, env.name);
    const { operationId, done } = report.masterAlive
      ? await beginSwitchover(actor, master, { candidate: env.name, demoteOldMaster })
      : await beginFailover(actor, master, { candidate: env.name });
    return NextResponse.json({ operationId, ...(await done) });
  });
}
