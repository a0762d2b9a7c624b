import type { RuntimeDriver } from "./driver";
import { LocalDriver } from "./local";

const g = globalThis as unknown as { marinerDrivers?: Map<string, RuntimeDriver> };
const drivers = (g.marinerDrivers ??= new Map());

export const RUNTIMES = ["local"] as const;
export type RuntimeKind = (typeof RUNTIMES)[number];

export function driverFor(kind: string): RuntimeDriver {
  let d = drivers.get(kind);
  if (!d) {
    if (kind !== "local") throw new Error(`Unknown runtime "${kind}"`);
    d = new LocalDriver();
    drivers.set(kind, d);
  }
  return d;
}
