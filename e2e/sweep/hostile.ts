import { z } from "zod";
import { ServiceError } from "../../lib/errors";
import { parseInput } from "../../lib/validation";

/**
 * Hostile request bodies generated from a route's zod schema (through its JSON Schema: every property, its
 * type, length and range): for each field, wrong types, out-of-range numbers, oversized strings, path traversal
 * and SQL-ish strings, arrays of them, the field left out; and for the body, extra keys, prototype keys, non-object
 * JSON, malformed JSON and a body over the 2 MB limit. Each case carries the answer the console must give:
 * a case the schema accepts is not sent (it is valid input) but counted, so fields without limits show.
 */

export interface HostileCase {
  label: string;
  /** The exact request body. */
  raw: string;
  status: number;
  code: string;
  message: string;
}

export interface Generated {
  cases: HostileCase[];
  fields: string[];
  /** field → hostile values the schema accepts (legitimate input for that field, so not sent). */
  accepted: Record<string, string[]>;
}

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
};

const STRINGS = [
  "../../../../etc/passwd",
  "..%2F..%2Fetc%2Fshadow",
  "..\\..\\windows\\win.ini",
  "x'; DROP DATABASE mysql; --",
  '" OR 1=1 -- ',
  "a`b",
  "a;b",
  "a\u0000b",
  "a b",
  "ünï",
  "$(id)",
  "<script>alert(1)</script>",
  "line\r\nX-Injected: 1",
  "%",
  "",
];
const VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e21, "x", [], [42], {}, { $gt: "" }];
const MAX_BODY = 2 * 1024 * 1024;

const variants = (s: JsonSchema): JsonSchema[] => (s.anyOf ? s.anyOf.flatMap(variants) : [s]);

/** Hostile values for one property, from what its JSON Schema says about it. */
function probes(prop: JsonSchema): [string, unknown][] {
  const out: [string, unknown][] = VALUES.map((v) => [`type ${JSON.stringify(v)}`, v]);
  out.push(...STRINGS.map((s): [string, unknown] => [`string ${JSON.stringify(s).slice(0, 32)}`, s]));
  for (const v of variants(prop)) {
    out.push([`string of ${(v.maxLength ?? 100_000) + 1} chars`, "x".repeat((v.maxLength ?? 100_000) + 1)]);
    if (v.minimum !== undefined) out.push([`below minimum ${v.minimum}`, v.minimum - 1]);
    if (v.maximum !== undefined) out.push([`above maximum ${v.maximum}`, v.maximum + 1]);
    out.push(["2^53 + 2", 2 ** 53 + 2]);
    if (v.type === "array") {
      out.push(...STRINGS.map((s): [string, unknown] => [`array of ${JSON.stringify(s).slice(0, 24)}`, [s]]));
      out.push([
        `${(v.maxItems ?? 1000) + 1} items`,
        Array.from({ length: (v.maxItems ?? 1000) + 1 }, (_, i) => `db${i}`),
      ]);
      out.push(["array of a 100 kB string", ["x".repeat(100_001)]]);
    }
  }
  return out;
}

/** What the console answers for a body: the same parse, the same first issue, the same words. */
function expected(schema: z.ZodType, raw: string): Omit<HostileCase, "label" | "raw"> | null {
  if (raw.length > MAX_BODY) return { status: 413, code: "too_large", message: "Request body is larger than 2 MB" };
  let body: unknown;
  try {
    body = raw === "" ? {} : JSON.parse(raw);
  } catch {
    return { status: 400, code: "invalid_json", message: "Request body is not valid JSON" };
  }
  try {
    parseInput(schema, body);
    return null; // valid input: not hostile to this schema
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    return { status: e.status, code: e.code, message: e.message };
  }
}

export function hostileBodies(schema: z.ZodType, valid: Record<string, unknown>): Generated {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const props = json.properties ?? {};
  const fields = Object.keys(props);
  const cases: HostileCase[] = [];
  const accepted: Record<string, string[]> = {};
  const add = (label: string, raw: string, field?: string) => {
    const want = expected(schema, raw);
    if (want) cases.push({ label, raw, ...want });
    else if (field) (accepted[field] ??= []).push(label);
    else throw new Error(`${label}: the schema accepts it`);
  };
  if (expected(schema, JSON.stringify(valid)))
    throw new Error(`the valid body ${JSON.stringify(valid)} is refused by its schema`);
  for (const field of fields) {
    for (const [label, value] of probes(props[field]))
      add(`${field}: ${label}`, JSON.stringify({ ...valid, [field]: value }), field);
    if (field in valid) {
      const { [field]: _gone, ...rest } = valid;
      add(`${field}: left out`, JSON.stringify(rest), field);
    }
  }
  add("an extra key", JSON.stringify({ ...valid, sweepExtra: 1 }));
  add("a __proto__ key", JSON.stringify(valid).replace(/^\{/, '{"__proto__":{"polluted":true},').replace(/,\}$/, "}"));
  add("a constructor.prototype key", JSON.stringify({ ...valid, constructor: { prototype: { polluted: true } } }));
  for (const v of ["[]", '"x"', "42", "null", "true"]) add(`body ${v}`, v);
  add("malformed JSON", "{]");
  add("a body over 2 MB", JSON.stringify({ ...valid, [fields[0] ?? "x"]: "x".repeat(MAX_BODY + 1) }));
  return { cases, fields, accepted };
}
