// Input checks shared by every API area. Each names the field so the flow author knows what to fix,
// and runs before any request is made.
import { QualtricsInputError } from "./errors";
import { isPlainObject } from "./safe-object";
import { ID_PREFIX, type IdKind } from "./id-prefixes";
import { EMAIL, ISO_LIKE, KNOWN_PREFIX, idFits, idPrefix, isCalendarDate } from "./input-shapes";

export { ID_PREFIX, type IdKind };

/** how an error names each kind of ID, article included */
const ID_NAME: Record<IdKind, string> = {
  directory: "a directory",
  contact: "a contact",
  contactLookup: "a contact",
  mailingList: "a mailing list",
  survey: "a survey",
  emailDistribution: "an email distribution",
  smsDistribution: "an SMS distribution",
  distribution: "a distribution",
  message: "a message",
  library: "a library",
  subscription: "an event subscription",
  response: "a response",
  user: "a user",
  transaction: "a transaction",
  transactionBatch: "a transaction batch",
};



export function requireString(field: string, value: unknown): string {
  if (value === undefined || value === null || value === "") throw new QualtricsInputError(field, "is required");
  if (typeof value !== "string") throw new QualtricsInputError(field, `must be a string, got ${typeName(value)}`);
  return value;
}

export function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") throw new QualtricsInputError(field, `must be a string, got ${typeName(value)}`);
  return value;
}

/**
 * An ID read from the dialog or a message, as text for the checks that follow: a string or a
 * number as it is, nothing as "", anything else refused by its type (String() would make an
 * object "[object Object]" and the error would quote that).
 */
export function idText(field: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new QualtricsInputError(field, `must be a string, got ${typeName(value)}`);
}

export function requireId(field: string, value: unknown, kind: IdKind): string {
  const id = requireString(field, value).trim();
  checkIdShape(field, id, kind);
  return id;
}

export function optionalId(field: string, value: unknown, kind: IdKind): string | undefined {
  const id = optionalString(field, value)?.trim();
  if (id === undefined || id === "") return undefined;
  checkIdShape(field, id, kind);
  return id;
}

/**
 * An ID must have Qualtrics' shape, PREFIX_ then letters and digits (§4.8). Its prefix is a hint,
 * not a gate: one no document lists (ML_, MLRP_, whatever Qualtrics adds next) is accepted and
 * Qualtrics has the last word. Only a prefix known to name another kind of object (a survey ID
 * where a directory ID belongs) is refused before sending, since Qualtrics would only answer
 * with a less clear 400 or 404.
 */
function checkIdShape(field: string, id: string, kind: IdKind): void {
  const prefixes: readonly string[] = ID_PREFIX[kind];
  if (!idFits(id, prefixes)) {
    const otherKinds = KNOWN_PREFIX.get(idPrefix(id) ?? "");
    const shown = id.length > 40 ? id.slice(0, 40) + "…" : id;
    const looksLike = otherKinds && otherKinds.length > 0 ? `, it looks like ${ID_NAME[otherKinds[0]]} ID` : "";
    throw new QualtricsInputError(field, `"${shown}" is not ${ID_NAME[kind]} ID (expected ${prefixes.join(" or ")} followed by letters and digits${looksLike})`);
  }
}

export function optionalBoolean(field: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new QualtricsInputError(field, `must be true or false, got ${typeName(value)}`);
}

export function optionalObject(field: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (!isPlainObject(value)) throw new QualtricsInputError(field, `must be an object, got ${typeName(value)}`);
  return value;
}

export function optionalEmail(field: string, value: unknown): string | undefined {
  const v = optionalString(field, value)?.trim();
  if (v === undefined || v === "") return undefined;
  if (!EMAIL.test(v)) throw new QualtricsInputError(field, `"${v.slice(0, 80)}" is not an email address`);
  return v;
}

export function requireEmail(field: string, value: unknown): string {
  const v = optionalEmail(field, value);
  if (v === undefined) throw new QualtricsInputError(field, "is required");
  return v;
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  const v = requireString(field, value);
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) throw new QualtricsInputError(field, `must be one of ${allowed.join(", ")}, got "${v.slice(0, 40)}"`);
  return hit;
}

/**
 * Embedded data: an object of string values (docs/qualtrics-facts.md §4.3), names ≤ 200 and values
 * ≤ 1024 characters (§2.4). Numbers and booleans are turned into strings as Qualtrics stores them.
 */
export function optionalEmbeddedData(field: string, value: unknown): Record<string, string> | undefined {
  const obj = optionalObject(field, value);
  if (!obj) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.length > 200) throw new QualtricsInputError(`${field}.${k.slice(0, 20)}…`, "field names are limited to 200 characters");
    let s: string;
    if (typeof v === "string") s = v;
    else if (typeof v === "number" || typeof v === "boolean") s = String(v);
    else if (v === null || v === undefined) s = "";
    else throw new QualtricsInputError(`${field}.${k}`, `must be a string, number or boolean, got ${typeName(v)}`);
    if (s.length > 1024) throw new QualtricsInputError(`${field}.${k}`, "values are limited to 1024 characters");
    out[k] = s;
  }
  return out;
}

export function typeName(v: unknown): string {
  if (v === null) return "null";
  // "got a undefined" reads like a bug; nothing was given
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a Date";
  if (typeof v === "bigint") return "a BigInt";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}


/**
 * A date from a flow: ISO 8601 text, epoch milliseconds or a Date. Sent as ISO 8601 UTC without
 * milliseconds (docs/qualtrics-facts.md §5.2: fractional seconds are UNCONFIRMED, so they are stripped).
 * A date-time without a zone is read as UTC, like Qualtrics' own "YYYY-MM-DD HH:MM:SS".
 */
export function toQualtricsDate(field: string, value: unknown): string {
  let d: Date;
  if (value instanceof Date) d = value;
  else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new QualtricsInputError(field, "is not a valid date");
    d = new Date(value);
  } else if (typeof value === "string") {
    const s = value.trim();
    if (/^\d{11,}$/.test(s)) d = new Date(Number(s));
    else {
      if (!ISO_LIKE.test(s)) throw new QualtricsInputError(field, `"${s.slice(0, 40)}" is not an ISO 8601 date`);
      const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
      const normal = s.replace(" ", "T");
      d = new Date(hasZone || normal.length === 10 ? normal : normal + "Z");
      // Date.parse rolls 2024-02-30 over to March, with a zone as well as without; the calendar
      // date as written is checked on its own, so dates that do not exist are refused
      if (!isCalendarDate(s)) throw new QualtricsInputError(field, `"${s}" is not a real date`);
    }
  } else {
    throw new QualtricsInputError(field, `must be an ISO 8601 string, epoch milliseconds or a Date, got ${typeName(value)}`);
  }
  if (Number.isNaN(d.getTime())) throw new QualtricsInputError(field, "is not a valid date");
  const year = d.getUTCFullYear();
  if (year < 2000 || year > 9999) throw new QualtricsInputError(field, `year ${year} is out of range`);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function optionalDate(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return toQualtricsDate(field, value);
}
