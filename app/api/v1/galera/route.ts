import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { beginCreateCluster, clusterStatus, createClusterInput, listClusters } from "@/lib/galera";

export async function GET(request: Request) {
  return withActor(request, async (actor) =>
    NextResponse.json({
      clusters: (await listClusters(actor)).map(({ cluster, members }) => ({
        name: cluster.name,
        status: cluster.status,
        members: members.map((m) => m.name),
      })),
    }),
  );
}

/** Creates a Galera cluster and answers once every member is Synced (201), or failed with its server's lines. */
export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const input = await readJson(request, createClusterInput);
    await (
      await beginCreateCluster(actor, input)
    ).done;
    return NextResponse.json(await clusterStatus(actor, input.name), { status: 201 });
  });
}
