// Small field validators. Every failure is a 400 whose errorMessage names the offending field.
import { badRequest } from "./envelope";

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` must be a JSON object; `path` names it in the error ("body", "header", ...). */
export function requireObject(value: unknown, path: string): Obj {
  if (value === undefined || value === null) throw badRequest(`${path} is required`);
  if (!isObject(value)) throw badRequest(`${path} must be a JSON object`);
  return value;
}

export function optionalObject(value: unknown, path: string): Obj | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badRequest(`${path} must be a JSON object`);
  return value;
}

/** Present (not undefined/null). */
export function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A string when present; null/undefined mean "not given". */
export function optionalString(obj: Obj, key: string, path: string): string | undefined {
  const v = obj[key];
  if (!given(v)) return undefined;
  if (typeof v !== "string") throw badRequest(`${path} must be a string`);
  return v;
}

/** A non-empty string. */
export function requireString(obj: Obj, key: string, path: string): string {
  const v = obj[key];
  if (!given(v)) throw badRequest(`${path} is required`);
  if (typeof v !== "string") throw badRequest(`${path} must be a string`);
  if (v.trim() === "") throw badRequest(`${path} must not be empty`);
  return v;
}

export function optionalBoolean(obj: Obj, key: string, path: string): boolean | undefined {
  const v = obj[key];
  if (!given(v)) return undefined;
  if (typeof v !== "boolean") throw badRequest(`${path} must be a boolean`);
  return v;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function isEmail(value: string): boolean {
  return EMAIL_RE.test(value);
}

/** ISO 8601 date-time with a zone: 2018-12-04T11:13:35Z, optional fraction, or +HH:MM (§5.2, §5.7). */
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export function isIsoDateTime(value: unknown): value is string {
  return typeof value === "string" && ISO_RE.test(value) && !Number.isNaN(Date.parse(value));
}

/** "YYYY-MM-DD HH:MM:SS" (MySQL style, §5.3 generated-link expirationDate, webhook CompletedDate). */
const MYSQL_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export function isMysqlDateTime(value: unknown): value is string {
  return typeof value === "string" && MYSQL_RE.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T") + "Z"));
}

/** An optional ISO 8601 date-time field. */
export function optionalIsoDate(obj: Obj, key: string, path: string): string | undefined {
  const v = obj[key];
  if (!given(v)) return undefined;
  if (!isIsoDateTime(v)) throw badRequest(`${path} must be an ISO 8601 date-time such as 2024-01-31T09:00:00Z`);
  return v;
}

/** 2024-01-31T09:00:00Z (no milliseconds). */
export function isoNoMillis(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "YYYY-MM-DD HH:MM:SS" in UTC. */
export function mysqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`${path} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}
