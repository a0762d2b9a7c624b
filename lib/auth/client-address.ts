import { addressBytes, effectiveBytes, formatBytes } from "@/lib/net/address";

/**
 * The client address that throttling counts against. Only scripts/server.mjs knows it (from the socket, or
 * from MARINER_PROXY_HOPS trusted proxies): it overwrites this header on every request and says so through
 * MARINER_CLIENT_ADDRESS_STAMPED. Anywhere else (`next dev`, a bare `next start`) the header could come from
 * the client, so it is ignored and every client shares one "unknown" address.
 */
export const CLIENT_ADDRESS_HEADER = "x-mariner-client-address";
export const UNKNOWN_ADDRESS = "unknown";

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

let warnedUnknown = false;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A throttling key for an address: IPv4 (also when IPv4-mapped) as is, IPv6 by its /64, since one subscriber
 * usually holds a whole /64 and could otherwise step to a fresh address for every guess.
 */
export function addressKey(address: string): string {
  const bytes = addressBytes(address);
  if (!bytes) return UNKNOWN_ADDRESS;
  const effective = effectiveBytes(bytes);
  if (effective.length === 4) return formatBytes(effective);
  return `${formatBytes([...effective.slice(0, 8), ...Array<number>(8).fill(0)])}/64`;
}

export function clientAddress(headers: HeaderSource): string {
  const trusted = process.env.MARINER_CLIENT_ADDRESS_STAMPED === "1";
  const stamped = trusted ? header(headers, CLIENT_ADDRESS_HEADER) : undefined;
  if (stamped) return addressKey(stamped);
  if (!warnedUnknown && process.env.NODE_ENV === "production") {
    warnedUnknown = true;
    console.warn(
      "Mariner: client addresses are unknown (not served through scripts/start.mjs); sign-in throttling counts per account only",
    );
  }
  return UNKNOWN_ADDRESS;
}
