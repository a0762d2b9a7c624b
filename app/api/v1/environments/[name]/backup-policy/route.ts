import { NextResponse } from "next/server";
import { readJson, withActor } from "@/lib/api/http";
import { getBackupPolicy, setBackupPolicy } from "@/lib/backups/service";

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json({ policy: await getBackupPolicy(actor, (await params).name) }),
  );
}

/** {schedule: "0 3 * * *" | null, keepLast?, keepDays?, verifySchedule?: cron of the scheduled test restore | null} */
export async function PUT(request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withActor(request, async (actor) =>
    NextResponse.json(await setBackupPolicy(actor, (await params).name, await readJson(request))),
  );
}
