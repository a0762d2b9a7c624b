import net from "node:net";

/**
 * IP address classification for outbound checks (webhooks) and client keys (sign-in throttling). Addresses are
 * handled as byte arrays (4 for IPv4, 16 for IPv6) so one CIDR matcher serves both families and the allow list.
 */

export type AddressKind =
  "public" | "loopback" | "private" | "link-local" | "multicast" | "unspecified" | "shared (CGNAT)" | "reserved";

export interface Cidr {
  bytes: number[];
  prefix: number;
}

/** The address as bytes, or null when it is not an IP literal. Accepts `[v6]` and a zone id (`fe80::1%eth0`). */
export function addressBytes(text: string): number[] | null {
  const plain = text.replace(/^\[(.*)\]$/, "$1").split("%")[0];
  const family = net.isIP(plain);
  if (family === 4) return plain.split(".").map(Number);
  if (family === 6) return ipv6Bytes(plain);
  return null;
}

// Only called on text net.isIP accepted, so the shape is already valid.
function ipv6Bytes(text: string): number[] {
  let s = text.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const words = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return words.flatMap((w) => {
    const n = parseInt(w, 16);
    return [n >> 8, n & 255];
  });
}

export function formatBytes(bytes: number[]): string {
  if (bytes.length === 4) return bytes.join(".");
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // RFC 5952: the longest run of two or more zero words becomes "::".
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > best.len) best = { at: i, len: j - i };
  }
  if (best.at < 0) return words.join(":");
  return `${words.slice(0, best.at).join(":")}::${words.slice(best.at + best.len).join(":")}`;
}

/** "10.0.0.0/8", "fc00::/7" or a bare address (a /32 or /128); null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const cidr = parseCidrAsWritten(text);
  if (!cidr) return null;
  const embedded = embeddedIpv4(cidr.bytes);
  // "::ffff:127.0.0.55/128" means the IPv4 address: compare like with like.
  if (embedded && isMapped(cidr.bytes) && cidr.prefix >= 96) return { bytes: embedded, prefix: cidr.prefix - 96 };
  return cidr;
}

function parseCidrAsWritten(text: string): Cidr | null {
  const [addr, len, ...rest] = text.trim().split("/");
  if (rest.length) return null;
  const bytes = addressBytes(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { bytes, prefix };
}

export function inCidr(bytes: number[], cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((bytes[bit >> 3] & mask) !== (cidr.bytes[bit >> 3] & mask)) return false;
  }
  return true;
}

const table = (rows: [string, AddressKind][]) => rows.map(([c, kind]) => ({ cidr: parseCidrAsWritten(c)!, kind }));

// First match wins, so narrower ranges come before the ranges that contain them.
const IPV4_RANGES = table([
  ["0.0.0.0/32", "unspecified"],
  ["0.0.0.0/8", "reserved"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "shared (CGNAT)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "reserved"],
  ["192.0.2.0/24", "reserved"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "reserved"],
  ["198.51.100.0/24", "reserved"],
  ["203.0.113.0/24", "reserved"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"], // includes the broadcast address
]);

const IPV6_RANGES = table([
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["100::/64", "reserved"], // discard-only
  ["2001:db8::/32", "reserved"], // documentation
  ["fc00::/7", "private"], // unique local
  ["fe80::/10", "link-local"],
  ["fec0::/10", "private"], // deprecated site-local
  ["ff00::/8", "multicast"],
]);

const MAPPED = parseCidrAsWritten("::ffff:0:0/96")!;
const TRANSLATED = parseCidrAsWritten("::ffff:0:0:0/96")!;
const COMPATIBLE = parseCidrAsWritten("::/96")!;
const NAT64 = parseCidrAsWritten("64:ff9b::/96")!;
const SIX_TO_FOUR = parseCidrAsWritten("2002::/16")!;
const GLOBAL_UNICAST_V6 = parseCidrAsWritten("2000::/3")!;

const isMapped = (bytes: number[]) => inCidr(bytes, MAPPED);

/**
 * The IPv4 address an IPv6 address stands for (mapped, translated, compatible, NAT64 or 6to4), else null:
 * `::ffff:10.0.0.1` reaches 10.0.0.1 and must be judged as 10.0.0.1.
 */
export function embeddedIpv4(bytes: number[]): number[] | null {
  if (bytes.length !== 16) return null;
  if ([MAPPED, TRANSLATED, NAT64].some((c) => inCidr(bytes, c))) return bytes.slice(12);
  // ::/96 minus :: and ::1, which have meanings of their own.
  if (inCidr(bytes, COMPATIBLE) && bytes.slice(12).some((b, i) => (i < 3 ? b !== 0 : b > 1))) return bytes.slice(12);
  if (inCidr(bytes, SIX_TO_FOUR)) return bytes.slice(2, 6);
  return null;
}

/** The bytes that decide where a connection goes: the embedded IPv4 address when there is one. */
export function effectiveBytes(bytes: number[]): number[] {
  return embeddedIpv4(bytes) ?? bytes;
}

export function classifyAddress(text: string): AddressKind {
  const bytes = addressBytes(text);
  if (!bytes) throw new Error(`${text} is not an IP address`);
  const effective = effectiveBytes(bytes);
  const ranges = effective.length === 4 ? IPV4_RANGES : IPV6_RANGES;
  const special = ranges.find((r) => inCidr(effective, r.cidr))?.kind;
  if (special) return special;
  // Outside 2000::/3 nothing is assigned for the public internet.
  return effective.length === 16 && !inCidr(effective, GLOBAL_UNICAST_V6) ? "reserved" : "public";
}
