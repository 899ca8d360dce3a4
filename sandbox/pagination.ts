// List paging (docs/qualtrics-facts.md §3): `result.elements` plus `result.nextPage`, an ABSOLUTE URL
// built from the request's Host header, or null on the last page.
import { badRequest } from "./envelope";

/** Hard cap for pageSize. // UNCONFIRMED (docs/qualtrics-facts.md §3.2): max pageSize unknown; 1000 works for [QAPI], larger values are clamped, not refused. */
export const MAX_PAGE_SIZE = 1000;

/** What the pager needs to know about the request. */
export interface PageContext {
  /** "http://host:port" from the Host header. */
  origin: string;
  /** Path as requested, e.g. "/API/v3/directories/POOL_x/contacts". */
  pathname: string;
  query: URLSearchParams;
}

export interface Page<T> {
  elements: T[];
  nextPage: string | null;
}

/** skipToken: base64 of the decimal offset, as in the official examples ("NQ==" = 5). Opaque to clients. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(String(offset), "utf8").toString("base64");
}

export function decodeSkipToken(token: string): number {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(token) ? Buffer.from(token, "base64").toString("utf8") : "";
  if (!/^\d+$/.test(text)) throw badRequest("skipToken is invalid");
  return Number(text);
}

function nonNegativeInt(raw: string, name: string): number {
  if (!/^\d+$/.test(raw)) throw badRequest(`${name} must be a non-negative integer`);
  return Number(raw);
}

export function readPageSize(query: URLSearchParams, defaultSize: number, max: number = MAX_PAGE_SIZE): number {
  const raw = query.get("pageSize");
  if (raw === null || raw === "") return Math.min(defaultSize, max);
  const n = nonNegativeInt(raw, "pageSize");
  if (n < 1) throw badRequest("pageSize must be a positive integer");
  return Math.min(n, max);
}

function buildUrl(ctx: PageContext, set: Record<string, string>, drop: string[]): string {
  const params = new URLSearchParams(ctx.query);
  for (const name of drop) params.delete(name);
  for (const [k, v] of Object.entries(set)) params.set(k, v);
  return `${ctx.origin}${ctx.pathname}?${params.toString()}`;
}

/** Start offset from `skipToken`, falling back to `offset`. */
export function startOffset(query: URLSearchParams): number {
  const skip = query.get("skipToken");
  if (skip !== null && skip !== "") return decodeSkipToken(skip);
  const offset = query.get("offset");
  if (offset !== null && offset !== "") return nonNegativeInt(offset, "offset");
  return 0;
}

export interface PageOptions {
  defaultPageSize: number;
  maxPageSize?: number;
  /**
   * Search semantics (§3.2 official search text): a skipToken is given whenever the page is full,
   * even if nothing follows (the next page is then empty); none when the page is short.
   */
  nextWhenFull?: boolean;
}

/** skipToken paging (contacts, mailing lists, directories, distributions, ...). */
export function pageBySkipToken<T>(items: readonly T[], ctx: PageContext, opts: PageOptions): Page<T> & { start: number; pageSize: number } {
  const pageSize = readPageSize(ctx.query, opts.defaultPageSize, opts.maxPageSize);
  const start = startOffset(ctx.query);
  const elements = items.slice(start, start + pageSize);
  const end = start + elements.length;
  const more = opts.nextWhenFull ? elements.length === pageSize : end < items.length;
  const nextPage = more ? buildUrl(ctx, { skipToken: encodeSkipToken(end) }, ["skipToken", "offset"]) : null;
  return { elements, nextPage, start, pageSize };
}

/** offset paging (`GET /surveys`, `GET /libraries/{id}/messages`): nextPage carries `offset=N` (§3.2). */
export function pageByOffset<T>(items: readonly T[], ctx: PageContext, opts: PageOptions): Page<T> {
  const pageSize = readPageSize(ctx.query, opts.defaultPageSize, opts.maxPageSize);
  const offsetRaw = ctx.query.get("offset");
  const start = offsetRaw === null || offsetRaw === "" ? 0 : nonNegativeInt(offsetRaw, "offset");
  const elements = items.slice(start, start + pageSize);
  const end = start + elements.length;
  const nextPage = end < items.length ? buildUrl(ctx, { offset: String(end) }, ["offset", "skipToken"]) : null;
  return { elements, nextPage };
}
