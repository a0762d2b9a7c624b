import { currentActor } from "@/lib/auth/session";
import { apiError, errorResponse } from "@/lib/api/http";
import { listEnvironments } from "@/lib/environments/service";

export const dynamic = "force-dynamic";

/**
 * Server-sent events: the status of the caller's environments, pushed when it changes (the monitor keeps
 * the store current, so this reads one table once a second per open page instead of contacting servers).
 */
export async function GET(request: Request) {
  let actor;
  try {
    actor = await currentActor(request); // a 429 while this address is throttled for bad tokens
  } catch (e) {
    return errorResponse(e);
  }
  if (!actor) return apiError(401, "unauthorized", "Sign in or send a valid Bearer token");
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | undefined;
  const stream = new ReadableStream({
    start(controller) {
      let last = "";
      let beats = 0;
      const tick = async () => {
        try {
          const envs = await listEnvironments(actor);
          const snapshot = JSON.stringify(
            envs.map((e) => ({ name: e.name, status: e.status, detail: e.statusDetail })),
          );
          if (snapshot !== last) {
            last = snapshot;
            controller.enqueue(encoder.encode(`event: status\ndata: ${snapshot}\n\n`));
          } else if (++beats % 15 === 0) controller.enqueue(encoder.encode(": keep-alive\n\n"));
        } catch {
          clearInterval(timer);
          controller.close();
        }
      };
      void tick();
      timer = setInterval(tick, 1000);
      request.signal.addEventListener("abort", () => {
        clearInterval(timer);
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" },
  });
}
