// Hostile values for the fuzz run (fuzz.test.ts): wrong types, huge strings, deep nesting,
// prototype keys as own properties, bad IDs and dates, and a check that an error text is one a
// flow author can read.
import fc from "fast-check";

/** ~1 MB: bigger than anything a dialog field or Qualtrics ID should ever be */
export const HUGE = "x".repeat(1 << 20);

/** an object (or array) nested `depth` levels deep, built from JSON text so nothing recurses here */
export function deep(depth: number, kind: "object" | "array" = "object"): unknown {
  return kind === "object" ? JSON.parse('{"a":'.repeat(depth) + "1" + "}".repeat(depth)) : JSON.parse("[".repeat(depth) + "]".repeat(depth));
}

/** JSON texts whose prototype keys JSON.parse makes own properties (docs/node-red-facts.md §7.4) */
const PROTO_TEXTS = [
  '{"__proto__":{"polluted":"yes","isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"},"a":1}',
  '{"a":{"b":{"__proto__":{"polluted":"deep"}}}}',
  '{"__proto__":[1,2,3],"email":"a@example.com"}',
  '{"embeddedData":{"__proto__":{"polluted":"ed"},"tier":"gold"}}',
  '[{"__proto__":{"polluted":"arr"}}]',
  '{"__proto__":{"toString":"not a function","hasOwnProperty":1}}',
];

export const protoObject: fc.Arbitrary<unknown> = fc.constantFrom(...PROTO_TEXTS).map((t) => JSON.parse(t) as unknown);

/** strings that look like something they are not */
const TRICKY = [
  "", " ", "\t\n", "NaN", "Infinity", "-Infinity", "1e999", "-0", "0x1F", "null", "true", "false", "undefined", "{}", "[]",
  "2024-02-30", "2024-13-01", "2024-00-10", "9999-99-99T99:99:99Z", "0000-01-01", "1969-12-31T23:59:59Z", "10000-01-01",
  "2024-01-01T00:00:00+99:99", "99999999999999999999", "-1", "1.5", "  SV_abc  ",
  "SV_", "SV_../../whoami", "SV_abc/def", "SV_a?b=c", "SV_a#b", "POOL_%2e%2e", "CID_<script>", "EMD_\u0000", "R_\r\nX-Injected: 1",
  "CG_😀", "MS_ ", "UR_é", "SMSD_-", "../../../etc/passwd", "%2e%2e%2f%2e%2e%2f", "\\\\evil\\share",
  "https://evil.example/API/v3/whoami", "//evil.example/API/v3/whoami", "javascript:alert(1)", "\ud800", "\u202e\u0000",
  "a@b", "not an email", "@example.com", "a@example.com\r\nBcc: x@example.com", "${QUALTRICS_TOKEN}", "{{payload}}", "{surveyId}",
  "__proto__", "constructor", "prototype", "hasOwnProperty", "toString",
];

/** a scalar of any JSON type, or a tricky string */
export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 253402300800000, -62198755200000) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constant("z".repeat(10_000)) },
);

/** any hostile value: scalars, huge strings, deep nesting, prototype keys, arrays where objects belong */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), hostileScalar, { maxKeys: 4 }) },
  { weight: 2, arbitrary: protoObject },
  { weight: 1, arbitrary: fc.constantFrom(1000, 1200).chain((d) => fc.constantFrom<unknown>(deep(d), deep(d, "array"))) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
);

/** a hostile value for one field among many: no 1 MB string or deep nesting (a message gets those whole) */
export const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: protoObject },
);

/**
 * A valid message with one field made hostile (or none): the hostile value then meets the code
 * behind the first checks. `topLevel` names the fields that live on msg rather than msg.payload.
 */
export function mutated(valid: Array<Record<string, unknown>>, fields: string[], topLevel: string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.constantFrom(...valid), fc.option(fc.tuple(fc.constantFrom(...fields, "__proto__", "constructor"), hostileValue), { freq: 5 })).map(([v, change]) => {
    const m = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
    if (!change) return m;
    const [key, value] = change;
    const target = topLevel.includes(key) || typeof m.payload !== "object" || m.payload === null ? m : (m.payload as Record<string, unknown>);
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return m;
  });
}

/** `good` values (real IDs of the sandbox) mixed in, so some messages get past the first checks */
export function idLike(good: string[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, { weight: 5, arbitrary: fieldValue });
}

/**
 * An object with some of `fields` (each a hostile value or one of its good values), sometimes a
 * prototype key as an own property too.
 */
export function hostileFields(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const rec = fc.record(fields, { requiredKeys: [] });
  return fc.tuple(rec, fc.option(fc.constantFrom("__proto__", "constructor", "prototype"), { freq: 4 }), fieldValue).map(([r, protoKey, v]) => {
    const out: Record<string, unknown> = { ...r };
    // an own property, as JSON.parse makes it; plain assignment would set the prototype instead
    if (protoKey) Object.defineProperty(out, protoKey, { value: typeof v === "object" && v !== null ? v : { polluted: v }, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

/** what is wrong with an error (or status) text a flow author would see; undefined = it reads fine */
export function unclear(text: unknown, input: unknown = undefined): string | undefined {
  if (typeof text !== "string") return `not a string (${typeof text})`;
  if (text.trim() === "") return "empty";
  if (text.length > 1000) return `${text.length} characters long`;
  if (text.includes("[object Object]")) return "says [object Object]";
  // the input a text quotes may say anything; the text around it may not
  // and a field name may be a key of the input ("embeddedData.undefined")
  let own = text.replace(/"[^"]*"/g, '""');
  for (const w of inputWords(input)) if (/\b(undefined|NaN)\b/.test(w)) own = own.split(w).join("");
  if (/\bundefined\b/.test(own)) return "says undefined";
  if (/\bNaN\b/.test(own)) return "says NaN";
  if (/\n\s+at .+\(.+:\d+:\d+\)/.test(text) || /\bat (async )?\S+ \(\/.+:\d+:\d+\)/.test(text)) return "has a stack trace";
  if (/Cannot read propert|is not a function|is not iterable|Maximum call stack/.test(text)) return "is a JavaScript error, not an explanation";
  return undefined;
}

/** the keys and short strings of a value, a few levels down */
function inputWords(v: unknown, depth = 0, out: string[] = []): string[] {
  if (typeof v === "string") {
    if (v.length <= 200) out.push(v);
  } else if (typeof v === "object" && v !== null && depth < 6) {
    for (const k of Object.keys(v).slice(0, 50)) {
      out.push(k);
      inputWords((v as Record<string, unknown>)[k], depth + 1, out);
    }
  }
  return out;
}

/** a short description of a hostile message for a failure report (never the 1 MB itself) */
export function describeValue(v: unknown, depth = 0): string {
  if (typeof v === "string") return v.length > 60 ? `"${v.slice(0, 30)}…" (${v.length} chars)` : JSON.stringify(v);
  if (typeof v !== "object" || v === null) return String(v);
  if (depth > 3) return Array.isArray(v) ? "[…]" : "{…}";
  if (Array.isArray(v)) return `[${v.slice(0, 4).map((x) => describeValue(x, depth + 1)).join(", ")}${v.length > 4 ? ", …" : ""}]`;
  const keys = Object.keys(v);
  return `{${keys.slice(0, 8).map((k) => `${JSON.stringify(k)}: ${describeValue((v as Record<string, unknown>)[k], depth + 1)}`).join(", ")}${keys.length > 8 ? ", …" : ""}}`;
}
