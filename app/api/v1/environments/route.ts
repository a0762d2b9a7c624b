import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { liveStatuses } from "@/lib/environments/status";
import {
  createEnvironment,
  createEnvironmentInput,
  listEnvironments,
  serializeEnvironment,
} from "@/lib/environments/service";

export async function GET(request: Request) {
  return withActor(request, async (actor) => {
    const envs = await listEnvironments(actor);
    // ?live=1 adds each server's live status (logins run concurrently).
    if (new URL(request.url).searchParams.get("live") === "1") {
      const live = await liveStatuses(envs);
      return NextResponse.json({
        environments: envs.map((e) => ({ ...serializeEnvironment(e), live: live.get(e.id) ?? null })),
      });
    }
    return NextResponse.json({ environments: envs.map(serializeEnvironment) });
  });
}

/** Creates an environment and answers once its server accepts connections (201) or failed (with its error lines). */
export async function POST(request: Request) {
  return withActor(request, async (actor) => {
    const input = await readJson(request, createEnvironmentInput);
    const env = await createEnvironment(actor, input);
    return NextResponse.json(serializeEnvironment(env), { status: 201 });
  });
}
