import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { getHealing, setHealing } from "@/lib/topology";

type Ctx = { params: Promise<{ name: string }> };

/** {keepSlaves, recent}: how many slaves this master's topology keeps on its Swarm, and the last healing steps. */
export async function GET(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) => NextResponse.json(await getHealing(actor, (await params).name)));
}

/** {keepSlaves}: 0 turns healing off; more keeps that many slaves, replacing lost ones on healthy nodes. */
export async function PUT(request: Request, { params }: Ctx) {
  return withActor(request, async (actor) =>
    NextResponse.json(await setHealing(actor, (await params).name, await readJson(request))),
  );
}
