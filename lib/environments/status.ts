import type { NodeStatus } from "@/lib/runtime/driver";
import { liveStatus, type EnvironmentWithNodes } from "./service";

/** Live status (a real login each) of many environments at once, at most `concurrency` in flight. */
export async function liveStatuses(
  envs: EnvironmentWithNodes[],
  concurrency = 32,
): Promise<Map<string, NodeStatus | null>> {
  const out = new Map<string, NodeStatus | null>();
  let next = 0;
  const worker = async () => {
    while (next < envs.length) {
      const env = envs[next++];
      out.set(
        env.id,
        await liveStatus(env).catch((e: Error) => ({ state: "unresponsive" as const, detail: e.message })),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, envs.length) }, worker));
  return out;
}
