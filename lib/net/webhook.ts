import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { addressBytes, classifyAddress, effectiveBytes, formatBytes, inCidr, parseCidr, type Cidr } from "./address";

/**
 * Outbound webhooks that cannot be aimed at the console's own network: the host is resolved, every address it
 * resolves to must be public (or in the admin's MARINER_WEBHOOK_ALLOW ranges), the connection goes to the
 * address that was checked (a second DNS answer cannot swap in 127.0.0.1), redirects are not followed and a
 * delivery gives up after a few seconds.
 */

export class WebhookRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookRefused";
  }
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export interface CheckedTarget {
  url: URL;
  /** The address the delivery connects to: one of those checked. */
  address: string;
  family: 4 | 6;
}

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  detail: string;
}

const RESOLVE_TIMEOUT_MS = 3000;
export const DELIVERY_TIMEOUT_MS = 3000;
const ALLOW_HINT = "an admin can allow a range with MARINER_WEBHOOK_ALLOW (comma-separated CIDRs)";

const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

const warnedAllowEntries = new Set<string>();

/** MARINER_WEBHOOK_ALLOW, read on every check so a changed setting applies without a restart of this module. */
export function webhookAllowList(raw = process.env.MARINER_WEBHOOK_ALLOW ?? ""): Cidr[] {
  const out: Cidr[] = [];
  for (const entry of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const cidr = parseCidr(entry);
    if (cidr) out.push(cidr);
    else if (!warnedAllowEntries.has(entry)) {
      warnedAllowEntries.add(entry);
      console.error(`Mariner: MARINER_WEBHOOK_ALLOW entry "${entry}" is not a CIDR (e.g. 127.0.0.55/32); ignored`);
    }
  }
  return out;
}

/** Why a webhook may not connect to `address` (e.g. "a private address"), or null when it may. */
export function addressRefusal(address: string, allow: Cidr[] = webhookAllowList()): string | null {
  const bytes = addressBytes(address);
  if (!bytes) return "not an IP address";
  const kind = classifyAddress(address);
  if (kind === "public") return null;
  const effective = effectiveBytes(bytes);
  if (allow.some((c) => inCidr(effective, c) || inCidr(bytes, c))) return null;
  const via = effective !== bytes ? ` (it reaches ${formatBytes(effective)})` : "";
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} address${via}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WebhookRefused(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves and checks a webhook URL without connecting anywhere; throws WebhookRefused with the reason. */
export async function checkWebhookTarget(raw: string, resolve: Resolver = systemResolver): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookRefused("Webhook must be a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WebhookRefused(`Webhook must be http(s), not ${url.protocol.replace(/:$/, "")}`);
  }
  // WHATWG parsing already turned 0x7f.1 and 2130706433 into 127.0.0.1; IPv6 literals keep their brackets.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = addressBytes(host) !== null;
  let addresses: { address: string; family: number }[];
  if (literal) addresses = [{ address: host, family: host.includes(":") ? 6 : 4 }];
  else {
    try {
      addresses = await withTimeout(resolve(host), RESOLVE_TIMEOUT_MS, `Resolving ${host}`);
    } catch (e) {
      if (e instanceof WebhookRefused) throw e;
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new WebhookRefused(`Webhook host ${host} does not resolve (${why})`);
    }
  }
  if (addresses.length === 0) throw new WebhookRefused(`Webhook host ${host} does not resolve`);
  const allow = webhookAllowList();
  // Every address must pass: a name with one public and one internal address could be steered to either.
  for (const { address } of addresses) {
    const why = addressRefusal(address, allow);
    if (why) {
      const subject = literal ? host : `${host} resolves to ${address}, which`;
      throw new WebhookRefused(`Webhook refused: ${subject} is ${why}; use a public address, or ${ALLOW_HINT}`);
    }
  }
  const first = addresses[0];
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** Hands the socket the address that was checked, whatever DNS would answer now. */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  const { address, family } = target;
  return (_hostname, options, callback) => {
    // Happy-eyeballs connects ask for every address at once (`all`); plain connects for one.
    if (options.all)
      (callback as (e: null, all: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * POSTs `payload` as JSON. Checks the target again first (a rule saved before an address turned internal, or
 * before the allow list shrank, is refused here), never follows a redirect and never throws: the result says
 * what happened, for the caller to log.
 */
export async function deliverWebhook(
  raw: string,
  payload: unknown,
  options: { timeoutMs?: number; resolve?: Resolver } = {},
): Promise<DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  let target: CheckedTarget;
  try {
    target = await checkWebhookTarget(raw, options.resolve);
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
  const body = JSON.stringify(payload);
  const client = target.url.protocol === "https:" ? https : http;
  return new Promise<DeliveryResult>((done) => {
    let settled = false;
    const finish = (result: DeliveryResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      done(result);
    };
    const request = client.request(
      target.url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "Mariner-Webhook",
        },
        lookup: pinnedLookup(target),
        agent: false, // a fresh socket each time: a pooled one could belong to an earlier, differently checked address
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // The body is not needed; finish() drops the socket instead of reading whatever the receiver sends.
        if (status >= 200 && status < 300) finish({ ok: true, status, detail: `answered ${status}` });
        else if (status >= 300 && status < 400) {
          const location = String(response.headers.location ?? "").slice(0, 200);
          const detail = `answered ${status} (redirect to ${location || "nowhere"}); redirects are not followed`;
          finish({ ok: false, status, detail });
        } else finish({ ok: false, status, detail: `answered ${status}` });
      },
    );
    const timer = setTimeout(() => finish({ ok: false, detail: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    request.on("error", (e) => finish({ ok: false, detail: e.message }));
    request.end(body);
  });
}
