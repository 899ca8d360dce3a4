// Prototype-safe handling of data that comes from outside (message payloads, webhook bodies,
// API responses). A parsed "__proto__" key is an own property, but Node-RED's cloneMessage and
// Object.assign turn it into a real prototype (docs/node-red-facts.md §7.4), so such keys never get through.

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN.has(key);
}

const REVIVER = (key: string, value: unknown) => (FORBIDDEN.has(key) ? undefined : value);

export function safeJsonParse(text: string): unknown {
  // a reviver makes JSON.parse several times slower; text that cannot hold a forbidden key (none
  // of the words, and no \u escape that could spell one) is parsed without it
  if (!text.includes("__proto__") && !text.includes("constructor") && !text.includes("prototype") && !text.includes("\\u")) return JSON.parse(text);
  return JSON.parse(text, REVIVER);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return true;
  // an object literal of another realm: a function node runs in a vm context of its own, so
  // `msg.payload = {...}` there has that context's Object.prototype, whose prototype is null too
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(v) === "[object Object]";
}

/**
 * A deep copy of plain data without forbidden keys; depth is bounded so a hostile
 * deeply nested payload fails with a clear error instead of a stack overflow.
 */
export function sanitize(value: unknown, maxDepth = 32, depth = 0): unknown {
  if (depth > maxDepth) throw new RangeError(`nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return value.map((v) => sanitize(v, maxDepth, depth + 1));
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (FORBIDDEN.has(key)) continue;
      out[key] = sanitize((value as Record<string, unknown>)[key], maxDepth, depth + 1);
    }
    return out;
  }
  return value;
}
